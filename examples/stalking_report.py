# %% [markdown]
# # Stalking and harassment by police force area: from an ONS workbook to the sentences
#
# This notebook starts from a real ONS publication, the police force area data tables for the year
# ending March 2019, and goes step by step to what a report would say about each force: the rates
# per 1,000 people with their intervals, the change on the year before and whether it is real, how
# each force compares with England and Wales, a funnel plot of all 43 forces, and the sentences.
#
# The workbook is read from `../shared/data/` beside the repository (the ONS publishes it on its
# website); `stalking_report.py` is this notebook as a script.

# %%
from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

import crimestats as cs
from crimestats import ons, phrase, plot
from crimestats.story import story

WORKBOOK = Path("..", "..", "shared", "data", "policeforceareatablesyeendingmarch2019.xlsx")
AREA = "Bedfordshire"
OFFENCE = "Stalking and harassment"

# %% [markdown]
# ## Read the workbook
#
# `read_pfa_tables` reads Tables P1 (counts), P2 (percentage changes) and P3 (rates, with the
# populations behind them). ONS symbols such as `..` become NaN with the symbol kept in `marker`.

# %%
tables = ons.read_pfa_tables(WORKBOOK)
print(tables.period, "against", tables.previous_period)
print("populations:", tables.population_base)
stalking = tables.offence(OFFENCE)
forces = stalking[stalking["area_type"] == "force"].dropna(subset=["count", "population"])
national = stalking[stalking["area_name"] == "England and Wales"].iloc[0]
print(len(forces), "forces")
forces[["area_name", "count", "previous", "population"]].head()

# %% [markdown]
# ## Rates per 1,000 people, with their intervals
#
# The PHE method (exact below 10 offences, Byar's approximation from 10), as the Fingertips
# tools publish it.

# %%
rates = cs.rate(forces["count"], forces["population"])
rates.insert(0, "area_name", forces["area_name"])
benchmark = float(national["count"] / national["population"] * 1000)
print(f"England and Wales: {benchmark:.2f} per 1,000")
rates.sort_values("rate").round(2).head()

# %% [markdown]
# ## Above or below the national rate?
#
# The Fingertips rule: a force is "higher" or "lower" only when its 95 per cent interval excludes
# the national rate.

# %%
comparison = cs.compare(forces["count"], forces["population"], benchmark)
comparison.insert(0, "area_name", forces["area_name"])
comparison["comparison"].value_counts()

# %% [markdown]
# ## The change on the year before, and whether it is real
#
# `change` gives the percentage change (with the ONS '-' rule for small bases); `test_change`
# the exact test of the two counts, as R's `poisson.test`.

# %%
changes = cs.change(forces["count"], forces["previous"])
tests = cs.test_change(forces["count"], forces["previous"])
years = pd.concat(
    [forces[["area_name"]], changes[["percent_change"]], tests[["p_value", "significant"]]],
    axis=1,
)
years.sort_values("percent_change").round(3).head()

# %% [markdown]
# ## The funnel plot
#
# Each force's rate against its population around the national rate: a small force's rate varies
# more by chance, so its limits are wider. Forces outside the limits are named, and the story's
# force is ringed.

# %%
flags = cs.funnel(forces["count"], forces["population"], target=benchmark)
print(flags["flag"].value_counts().to_dict())
# Forces differ by more than chance alone (recording practice, not only crime), so most lie outside
# the Poisson limits; Spiegelhalter's overdispersion adjustment widens the limits to allow for it.
adjusted = cs.funnel(
    forces["count"], forces["population"], target=benchmark, overdispersion="additive"
)
print(adjusted["flag"].value_counts().to_dict(), "phi =", round(adjusted.attrs["phi"]))
figure, axes = plt.subplots(figsize=(10, 6.5), layout="constrained")
plot.funnel_plot(
    forces,
    target=benchmark,
    overdispersion="additive",
    highlight=AREA,
    title=f"{OFFENCE}, {tables.period}: rates by police force area",
    source=f"ONS, Police force area data tables ({tables.path.name})",
    ax=axes,
)
plt.show()

# %% [markdown]
# ## The sentences
#
# `phrase` puts the figures into house style; `story` assembles the whole report for one force
# with the questions behind it answered.

# %%
row = forces[forces["area_name"] == AREA].iloc[0]
where = comparison.loc[forces["area_name"] == AREA, "comparison"].iloc[0]
print(
    f"{AREA} Police recorded {phrase.number(row['count'])} stalking and harassment offences in "
    f"{phrase.year_to(tables.period)}, {phrase.change(row['count'], row['previous'])}."
)
print(
    f"That is {phrase.rate(row['count'] / row['population'] * 1000)}, {phrase.comparison(where)}."
)

# %%
report = story(area=AREA, offence=OFFENCE, table=tables)
print(report.text())
