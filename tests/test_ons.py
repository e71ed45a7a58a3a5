"""Tests of crimestats.ons on the real ONS publications in ../shared/data (see its SOURCES.md).

Expected values come from SOURCES.md (its tables were read off the published workbooks), from
the workbooks' own internal consistency (P3 rate = P1 count / P3 population; P2 change = P1
count against a whole-number previous count; England and Wales = forces + British Transport
Police), or from a fixture built in the test.
"""

from __future__ import annotations

import math
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import pytest

import crimestats as cs
from crimestats import InputError, ons

DATA = Path(__file__).parents[1].parent / "shared" / "data"
LOOKUP = "Local_Authority_District_to_CSPs_to_Police_Force_Areas_(December__2023)_Lookup_.csv"

# SOURCES.md, table of section 1: file, period, population base, E&W stalking and harassment
# (P1), E&W rate (P3), Bedfordshire S&H, Bedfordshire rate, Bedfordshire population.
WORKBOOKS = [
    ("policeforceareatablesyearendingmarch2018v2.xlsx", "year ending March 2018", "mid-2016",
     295_571, 5.063, 2_778, 4.200, 661_500),
    ("policeforceareadatatablesyearendingjune2018corrected.xlsx", "year ending June 2018",
     "mid-2017", 332_327, 5.657, 3_158, 4.752, 664_600),
    ("policeforceareatablesyearendingsep18corrected.xlsx", "year ending September 2018",
     "mid-2017", 371_953, 6.332, 3_356, 5.050, 664_600),
    ("policeforceareatablesyearendingdecember2018.xlsx", "year ending December 2018",
     "mid-2017", 408_522, 6.954, 3_569, 5.370, 664_600),
    ("policeforceareatablesyeendingmarch2019.xlsx", "year ending March 2019", "mid-2017",
     444_054, 7.559, 4_019, 6.047, 664_600),
    ("policeforceareatablesyearendingjune2019.xlsx", "year ending June 2019", "mid-2018",
     458_881, 7.762, 4_343, 6.489, 669_300),
    ("policeforceareatablesyearendingseptember2019.xlsx", "year ending September 2019",
     "mid-2018", 448_960, 7.974, 4_647, 6.943, 669_300),
    ("pfatablesdec19.xlsx", "year ending December 2019", "mid-2018",
     460_351, 8.176, 4_809, 7.185, 669_300),
]  # fmt: skip
FILES = [w[0] for w in WORKBOOKS]
EXCLUDING_GMP = {"policeforceareatablesyearendingseptember2019.xlsx", "pfatablesdec19.xlsx"}

needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data is not present")

_CACHE: dict[str, ons.PfaTables] = {}


def tables(name: str) -> ons.PfaTables:
    if name not in _CACHE:
        _CACHE[name] = ons.read_pfa_tables(DATA / name)
    return _CACHE[name]


# --- parse_number -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "number", "marker"),
    [
        ("5,108", 5108.0, None),  # the founding report's count, with a thousands separator
        ("599,908", 599908.0, None),
        (4019, 4019.0, None),
        (6.047246, 6.047246, None),
        (" 12.5% ", 12.5, None),
        ("\u22126.2", -6.2, None),  # a typographic minus sign
        ("1,234[note 3]", 1234.0, None),
        ("7.1[u]", 7.1, None),  # low reliability flag: the number stands
        ("-", math.nan, "-"),  # ONS: base fewer than 50
        ("..", math.nan, ".."),  # ONS: not available
        ("+", math.nan, "+"),  # ONS: suppressed
        ("[x]", math.nan, "[x]"),
        ("[c]", math.nan, "[c]"),
        ("", math.nan, None),
        (None, math.nan, None),
        (float("nan"), math.nan, None),
    ],
)
def test_parse_number(cell: object, number: float, marker: str | None) -> None:
    value, found = ons.parse_number(cell)
    assert found == marker
    if math.isnan(number):
        assert math.isnan(value)
    else:
        assert value == number


def test_parse_number_rejects_text() -> None:
    with pytest.raises(InputError, match="neither a number"):
        ons.parse_number("Bedfordshire")
    with pytest.raises(ValueError):  # InputError is a ValueError
        ons.parse_number(True)


# --- the police force area tables: SOURCES.md figures exactly ------------------------------------


@needs_data
@pytest.mark.parametrize("row", WORKBOOKS, ids=FILES)
def test_sources_table_figures(row: tuple) -> None:
    # Every figure of SOURCES.md's table, file by file.
    name, period, base, ew_count, ew_rate, beds_count, beds_rate, beds_pop = row
    t = tables(name)
    assert t.period == period
    assert t.population_base == base
    sh = t.offence("Stalking and harassment").set_index("area_name")
    assert sh.loc["England and Wales", "count"] == ew_count
    assert round(sh.loc["England and Wales", "rate"], 3) == ew_rate
    assert sh.loc["Bedfordshire", "count"] == beds_count
    assert round(sh.loc["Bedfordshire", "rate"], 3) == beds_rate
    assert sh.loc["Bedfordshire", "population"] == beds_pop


@needs_data
def test_march_2019_change_and_rate_checks() -> None:
    # SOURCES.md "Checks": 2,778 -> 4,019 is +44.7% as in Table P2 (E&W +50.0%), and
    # 4,019 / 664.6 thousand = 6.047 per 1,000 as in Table P3.
    t = tables("policeforceareatablesyeendingmarch2019.xlsx")
    assert t.previous_period == "year ending March 2018"
    sh = t.offence("Stalking and harassment").set_index("area_name")
    assert round(sh.loc["Bedfordshire", "percent_change"], 1) == 44.7
    assert sh.loc["Bedfordshire", "previous"] == 2_778
    assert round(sh.loc["England and Wales", "percent_change"], 1) == 50.0
    assert round(4019 / 664_600 * 1000, 3) == round(sh.loc["Bedfordshire", "rate"], 3) == 6.047


# --- the workbooks' internal consistency, for every workbook, area and offence -----------------


@needs_data
@pytest.mark.parametrize("name", FILES)
def test_p3_rates_reproduced_from_p1_counts_and_p3_populations(name: str) -> None:
    # Published P3 rate = P1 count / P3 population * 1,000. P3 prints the population rounded to
    # 100, so the reproduced rate can be off by up to 50 / population; that is under 0.2 per
    # cent for every area except the City of London's 3,500-odd households.
    t = tables(name)
    checked = 0
    for offence in [*t.offences(), "Residential burglary (households)"]:
        wide = t.offence(offence)
        both = wide.dropna(subset=["count", "population", "rate"])
        both = both[both["rate"] > 0]
        reproduced = both["count"] / both["population"] * 1000
        relative = (reproduced / both["rate"] - 1).abs()
        allowed = np.maximum(0.002, 50 / both["population"] * 1.01)
        assert (relative <= allowed).all(), both.loc[relative > allowed, "area_name"].tolist()
        assert (relative[both["population"] >= 25_000] <= 0.002).all()
        checked += len(both)
    assert checked >= 1270  # 23 offences + households rate, about 53 areas with a rate each


@needs_data
@pytest.mark.parametrize("name", FILES)
def test_p2_changes_are_against_whole_number_previous_counts(name: str) -> None:
    # P2 is count / revised previous count - 1, to full precision in the workbook: so the
    # previous count it implies is a whole number for every area and offence.
    t = tables(name)
    keys = ["period", "area_code", "area_name", "area_type", "offence"]
    merged = t.counts.merge(t.changes, on=keys)
    merged = merged.dropna(subset=["count", "percent_change"])
    merged = merged[merged["percent_change"] > -100]
    implied = merged["count"] / (1 + merged["percent_change"] / 100)
    assert len(merged) > 1000  # 23 offences x 56 areas, less '-' and '..' cells
    assert np.allclose(implied, np.round(implied), rtol=0, atol=1e-6)


PAIRS = [
    ("policeforceareatablesyearendingmarch2018v2.xlsx",
     "policeforceareatablesyeendingmarch2019.xlsx"),
    ("policeforceareadatatablesyearendingjune2018corrected.xlsx",
     "policeforceareatablesyearendingjune2019.xlsx"),
    ("policeforceareatablesyearendingsep18corrected.xlsx",
     "policeforceareatablesyearendingseptember2019.xlsx"),
    ("policeforceareatablesyearendingdecember2018.xlsx", "pfatablesdec19.xlsx"),
]  # fmt: skip


@needs_data
@pytest.mark.parametrize(("earlier", "later"), PAIRS, ids=["Mar", "Jun", "Sep", "Dec"])
def test_p2_changes_reproduced_from_two_years_of_p1(earlier: str, later: str) -> None:
    # Where the later publication did not revise the earlier count, its P2 change equals the
    # change computed from the two publications' P1 counts; elsewhere the revision is small.
    old, new = tables(earlier), tables(later)
    assert new.previous_period == old.period
    frames = []
    for offence in new.offences():
        w = new.offence(offence).merge(
            old.offence(offence)[["area_code", "area_name", "count"]],
            on=["area_code", "area_name"],
            suffixes=("", "_earlier"),
        )
        frames.append(w.assign(offence=offence))
    both = pd.concat(frames).dropna(subset=["percent_change", "count_earlier"])
    both = both[both["count_earlier"] > 0]
    unrevised = both[both["previous"] == both["count_earlier"]]
    computed = (unrevised["count"] / unrevised["count_earlier"] - 1) * 100
    assert np.allclose(computed, unrevised["percent_change"], rtol=1e-9, atol=1e-9)
    assert len(unrevised) >= 100  # observed: 111 (Dec) to 691 (Mar) unrevised rows
    forces = both[(both["area_type"] == "force") & (both["count_earlier"] >= 50)]
    revision = (forces["previous"] / forces["count_earlier"] - 1).abs()
    assert revision.median() < 0.005


@needs_data
def test_bedfordshire_stalking_change_march_2018_to_2019() -> None:
    # The brief's example: 2,778 -> 4,019 = +44.7% (Table P2 of the March 2019 workbook).
    old = tables("policeforceareatablesyearendingmarch2018v2.xlsx")
    new = tables("policeforceareatablesyeendingmarch2019.xlsx")
    before = old.offence("stalking").set_index("area_code").loc["E23000026", "count"]
    after = new.offence("stalking").set_index("area_code").loc["E23000026"]
    assert (before, after["count"]) == (2_778, 4_019)
    assert after["percent_change"] == pytest.approx((4019 / 2778 - 1) * 100, rel=1e-12)
    assert round(after["percent_change"], 1) == 44.7


@needs_data
@pytest.mark.parametrize("name", FILES)
def test_totals_add_up(name: str) -> None:
    # Footnote "Includes British Transport Police": E&W = 43 forces + BTP, England = English
    # forces = the nine regions, for every offence. In the 2019 tables without Greater
    # Manchester, its '..' row is left out of the sums as the ONS left it out of the totals.
    t = tables(name)
    for offence, g in t.counts.groupby("offence"):
        by_code = g.set_index(g["area_code"].fillna("BTP"))["count"]
        forces = g[g["area_type"] == "force"]
        english = forces[forces["area_code"].str.startswith("E23")]
        assert by_code["K04000001"] == forces["count"].sum() + by_code["BTP"], offence
        assert by_code["E92000001"] == english["count"].sum(), offence
        assert g.loc[g["area_type"] == "region", "count"].sum() == by_code["E92000001"], offence


@needs_data
@pytest.mark.parametrize("name", FILES)
def test_areas_are_clean(name: str) -> None:
    # SOURCES.md: E&W, England, 9 regions, 43 forces, Wales and BTP; names without footnotes.
    t = tables(name)
    areas = t.counts.drop_duplicates(["area_code", "area_name"])
    assert areas["area_type"].value_counts().to_dict() == {
        "force": 43,
        "region": 9,
        "country": 3,
        "other": 1,
    }
    codes = areas["area_code"].dropna()
    assert codes.str.fullmatch(r"[EKW]\d{8}").all()
    assert not areas["area_name"].str.contains(r"\d").any()
    assert {
        "Cheshire",
        "England and Wales",
        "City of London",
        "West Midlands",
        "Lancashire",
    } <= set(areas["area_name"])
    assert not areas["area_name"].str.endswith(" ").any()
    assert len(t.offences()) == 23
    assert set(t.changes["offence"]) == set(t.offences())
    assert set(t.rates["offence"]) == {*t.offences(), "Residential burglary (households)"}


@needs_data
def test_long_frames_stack_into_a_series() -> None:
    # Each long frame carries its period, so publications concatenate into one series:
    # Bedfordshire stalking and harassment, SOURCES.md's table, year ending March 2018 to
    # December 2019.
    series = pd.concat([tables(name).counts for name in FILES], ignore_index=True)
    beds = series[
        (series["area_code"] == "E23000026") & (series["offence"] == "Stalking and harassment")
    ]
    assert beds.set_index("period")["count"].to_dict() == {
        period: count for _, period, _, _, _, count, _, _ in WORKBOOKS
    }
    assert list(tables(FILES[0]).counts.columns) == [
        "period", "period_end", "area_code", "area_name", "area_type", "offence", "count",
        "marker", "excludes",
    ]  # fmt: skip
    assert list(tables(FILES[0]).rates.columns) == [
        "period", "period_end", "area_code", "area_name", "area_type", "offence", "rate",
        "population", "households", "marker", "excludes",
    ]  # fmt: skip


# The last day each publication covers, from its title ("year ending June 2018": 30 June 2018).
PERIOD_ENDS = {
    "year ending March 2018": "2018-03-31",
    "year ending June 2018": "2018-06-30",
    "year ending September 2018": "2018-09-30",
    "year ending December 2018": "2018-12-31",
    "year ending March 2019": "2019-03-31",
    "year ending June 2019": "2019-06-30",
    "year ending September 2019": "2019-09-30",
    "year ending December 2019": "2019-12-31",
}


@needs_data
@pytest.mark.parametrize("name", FILES)
def test_every_frame_says_its_period_and_what_its_totals_leave_out(name: str) -> None:
    t = tables(name)
    wide = t.offence("stalking")
    for frame in (t.counts, t.changes, t.rates, wide):
        assert set(frame["period"]) == {t.period}
        assert frame["period_end"].dtype == "datetime64[ns]"
        assert set(frame["period_end"]) == {pd.Timestamp(PERIOD_ENDS[t.period])}
    rows = wide.set_index("area_name")["excludes"]
    if t.period in ("year ending September 2019", "year ending December 2019"):
        # SOURCES.md: Greater Manchester supplied no data; the ONS totals leave it out of
        # England and Wales, England and the North West, and no other row
        assert t.excluded == ("Greater Manchester",)
        leaving_out = rows[rows != ""]
        assert leaving_out.to_dict() == {
            "England and Wales": "Greater Manchester",
            "England": "Greater Manchester",
            "North West": "Greater Manchester",
        }
        assert t.totals_excluding == {"K04000001", "E92000001", "E12000002"}
    else:
        assert t.excluded == () and (rows == "").all()
        assert t.totals_excluding == frozenset()


@needs_data
def test_publications_stacked_give_an_honest_trend() -> None:
    # Every workbook's stalking stacked with pd.concat, in the order of their file names: trend
    # orders them by period_end, compares each only with the year before (never an overlapping
    # window), and refuses the change across the Greater Manchester break.
    stacked = pd.concat([tables(name).offence("stalking") for name in FILES], ignore_index=True)
    got = cs.trend(
        stacked,
        count="count",
        population="population",
        period="period",
        by=["area_name", "area_type"],  # West Midlands is a region and a force
        coverage="excludes",
    )
    beds = got[got["area_name"] == "Bedfordshire"].reset_index(drop=True)
    assert beds["period"].tolist() == list(PERIOD_ENDS)  # time order, not the labels' text
    compared = beds.dropna(subset=["compared_with"])
    assert compared["compared_with"].tolist() == list(PERIOD_ENDS)[:4]
    # December 2019 against December 2018: 4,809 against 3,569 (P1 counts of the two tables)
    dec = beds.set_index("period").loc["year ending December 2019"]
    assert (dec["count"], dec["compared_with"]) == (4_809, "year ending December 2018")
    ew = got[got["area_name"] == "England and Wales"].set_index("period")
    assert not ew.loc["year ending December 2019", "comparable"]
    assert ew.loc["year ending June 2019", "comparable"]


@needs_data
def test_offence_names_agree_across_publications() -> None:
    # Footnote digits, line breaks and the P2 spellings ("Residental", "All other theft
    # offences") are normalised, so all eight workbooks list the same 23 offences.
    names = {tuple(tables(name).offences()) for name in FILES}
    assert len(names) == 1
    (only,) = names
    assert only[0] == "Total recorded crime (excluding fraud)"
    assert "Stalking and harassment" in only
    assert "Other theft offences" in only
    assert "Miscellaneous crimes against society" in only


@needs_data
@pytest.mark.parametrize("name", FILES)
def test_british_transport_police(name: str) -> None:
    # BTP has no area code in the tables and no population, so no rate (P3 footnote).
    t = tables(name)
    sh = t.offence("Stalking and harassment")
    btp = sh[sh["area_name"] == "British Transport Police"]
    assert len(btp) == 1
    row = btp.iloc[0]
    assert row["area_code"] is None or pd.isna(row["area_code"])
    assert row["area_type"] == "other"
    assert row["count"] > 0
    assert math.isnan(row["population"]) and math.isnan(row["rate"])
    assert not math.isnan(row["percent_change"])


@needs_data
@pytest.mark.parametrize("name", FILES)
def test_greater_manchester_exclusion(name: str) -> None:
    # SOURCES.md: the YE Sep 2019 and YE Dec 2019 figures exclude Greater Manchester Police, so
    # their E&W totals and population (56,303,200) leave out GMP.
    t = tables(name)
    gmp = t.offence("Stalking and harassment").set_index("area_code").loc["E23000005"]
    ew = t.offence("Stalking and harassment").set_index("area_code").loc["K04000001"]
    if name in EXCLUDING_GMP:
        assert t.excluded == ("Greater Manchester",)
        assert math.isnan(gmp["count"]) and math.isnan(gmp["rate"])
        markers = t.counts.loc[t.counts["area_code"] == "E23000005", "marker"]
        assert (markers == "..").all()
        assert ew["population"] == 56_303_200
        assert t.exclusion_note is not None
        assert "Greater Manchester" in t.exclusion_note
        assert "exclude" in t.exclusion_note
        assert any("excluding Greater Manchester" in n for n in t.notes)
    else:
        assert t.excluded == ()
        assert t.exclusion_note is None
        assert gmp["count"] > 0
        assert ew["population"] > 58_000_000


@needs_data
def test_exclusion_found_when_the_force_row_is_missing(tmp_path: Path) -> None:
    # The Dec 2019 workbook with Greater Manchester's '..' rows deleted: the sub-title
    # "England and Wales (excluding Greater Manchester Police)" still tells the reader.
    with pd.ExcelFile(DATA / "pfatablesdec19.xlsx", engine="calamine") as book:
        sheets = {
            str(s): pd.read_excel(book, sheet_name=s, header=None)
            for s in book.sheet_names
            if str(s).strip() in ("Table P1", "Table P2", "Table P3")
        }
    path = tmp_path / "without_gmp.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            kept = frame[frame.iloc[:, 0] != "E23000005"]
            kept.to_excel(writer, sheet_name=name, index=False, header=False)
    t = ons.read_pfa_tables(path)
    assert "E23000005" not in set(t.counts["area_code"].dropna())
    assert t.excluded == ("Greater Manchester",)
    assert t.offence("stalking").set_index("area_code").loc["K04000001", "count"] == 460_351


@needs_data
def test_markers_base_under_50_and_suppressed() -> None:
    # Dec 2019 P2: '-' where the base is under 50 (homicide in most forces); P3: '+' for every
    # population rate of the City of London (small population).
    t = tables("pfatablesdec19.xlsx")
    dash = t.changes[t.changes["marker"] == "-"]
    assert len(dash) > 90
    assert dash["suppressed"].all() and dash["percent_change"].isna().all()
    assert not t.changes.loc[t.changes["marker"].isna(), "suppressed"].any()
    homicide = t.offence("Homicide").set_index("area_name")
    assert homicide.loc["Bedfordshire", "suppressed"]
    assert math.isnan(homicide.loc["Bedfordshire", "previous"])
    city = t.rates[t.rates["area_code"] == "E23000034"]
    assert (city.loc[city["offence"] != "Residential burglary (households)", "marker"] == "+").all()
    assert city["rate"].isna().sum() >= 23
    assert (city["population"] == 8_700).all()


@needs_data
def test_resolve_offence_and_errors() -> None:
    t = tables("policeforceareatablesyeendingmarch2019.xlsx")
    for loose in ["stalking", "STALKING AND HARASSMENT", "Stalking\nand harassment 5"]:
        assert t.resolve_offence(loose) == "Stalking and harassment"
    assert t.resolve_offence("All other theft offences") == "Other theft offences"
    with pytest.raises(InputError, match=r"not in .*Offences in the table: Total recorded"):
        t.offence("Fraud")
    with pytest.raises(InputError, match=r"more than one offence.*Residential burglary"):
        t.offence("residential")
    assert t.resolve_offence("burglary") == "Burglary"  # an exact name wins over longer ones
    assert ons.offences(t) == t.offences()
    assert ons.offences(DATA / FILES[0])[:3] == [
        "Total recorded crime (excluding fraud)",
        "Violence against the person",
        "Homicide",
    ]


@needs_data
def test_resolve_area() -> None:
    t = tables("pfatablesdec19.xlsx")
    assert t.resolve_area("devon & cornwall") == "Devon and Cornwall"  # the lookup's spelling
    assert t.resolve_area("E23000026") == "Bedfordshire"
    assert t.resolve_area("ENGLAND AND WALES") == "England and Wales"
    assert t.resolve_area("British Transport Police") == "British Transport Police"
    assert t.resolve_area("London, City of") == "City of London"
    assert t.resolve_area("West Midlands") == "West Midlands"  # the force and the region
    assert t.areas()[:3] == ["England and Wales", "England", "North East"]
    assert len(t.areas()) == 55  # 3 countries, 9 regions, 43 forces; two share "West Midlands"
    with pytest.raises(InputError, match=r"area 'Gotham' is not in .*Areas there: England"):
        t.resolve_area("Gotham")
    with pytest.raises(InputError, match="not in"):
        t.resolve_area("Bedfordshire", area_type="region")


@needs_data
def test_resolve_area_by_the_start_of_one_name() -> None:
    # docs/ons.md: areas match loosely; "Devon" starts one name only, "West" several
    t = tables("pfatablesdec19.xlsx")
    assert t.resolve_area("Devon") == "Devon and Cornwall"
    assert t.resolve_area("thames") == "Thames Valley"
    assert t.resolve_area("Dyfed") == "Dyfed-Powys"
    with pytest.raises(InputError, match=r"'West' matches more than one area.*West Mercia"):
        t.resolve_area("West")


def test_geography_helpers() -> None:
    frame = pd.DataFrame(
        {
            "area_code": ["K04000001", "E23000035", None],
            "area_name": ["England and Wales", "Devon and Cornwall", "British Transport Police"],
            "area_type": ["country", "force", "other"],
        }
    )
    assert ons.area_key(frame).tolist() == [
        ons.NATIONAL_CODE,
        "E23000035",
        "name:britishtransportpolice",
    ]
    assert ons.match_area("Devon & Cornwall", frame) == "Devon and Cornwall"
    with pytest.raises(InputError, match=r"'Kent' is not in x\. Areas there: England and Wales"):
        ons.match_area("Kent", frame, where="x")
    assert ons.is_households("Residential burglary (households)")
    assert not ons.is_households("Residential burglary")
    assert ons.count_offence("Residential burglary (households)") == "Residential burglary"
    assert ons.population_unit("Residential burglary (households)") == "households"
    assert ons.population_unit("Stalking and harassment") == "people"


@needs_data
def test_wide_frame_columns() -> None:
    t = tables("pfatablesdec19.xlsx")
    wide = t.offence("Residential burglary (households)")
    assert list(wide.columns) == [
        "period",
        "period_end",
        "area_code",
        "area_name",
        "area_type",
        "count",
        "previous",
        "percent_change",
        "suppressed",
        "population",
        "rate",
        "excludes",
    ]
    # households as the base: Bedfordshire 5,183 burglaries... residential 3,606 over its
    # households (P3 "Household figures"), as printed in P3.
    beds = wide.set_index("area_name").loc["Bedfordshire"]
    assert beds["count"] == 3_606
    assert beds["population"] < 400_000
    assert beds["rate"] == pytest.approx(3606 / beds["population"] * 1000, rel=0.002)


@needs_data
def test_not_a_pfa_table(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not an ONS police force area data table"):
        ons.read_pfa_tables(DATA / "LAD23_Mid_Year_pop_2011_to_2023.xlsx")
    with pytest.raises(InputError, match="not a spreadsheet"):
        ons.read_pfa_tables(DATA / LOOKUP)
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"this is not a workbook")
    with pytest.raises(InputError, match="not a spreadsheet"):
        ons.read_pfa_tables(junk)
    with pytest.raises(FileNotFoundError):
        ons.read_pfa_tables(tmp_path / "missing.xlsx")


# --- ods ----------------------------------------------------------------------------------------


def _write_ods(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    """A minimal OpenDocument spreadsheet: the fixture for reading .ods through calamine."""

    def cell(value: object) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "<table:table-cell/>"
        if isinstance(value, (int, float, np.integer, np.floating)):
            return (
                f'<table:table-cell office:value-type="float" office:value="{value!r}">'
                f"<text:p>{value}</text:p></table:table-cell>"
            )
        return (
            '<table:table-cell office:value-type="string">'
            f"<text:p>{escape(str(value))}</text:p></table:table-cell>"
        )

    body = "".join(
        f'<table:table table:name="{escape(name)}">'
        + "".join(
            "<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>"
            for row in frame.itertuples(index=False)
        )
        + "</table:table>"
        for name, frame in sheets.items()
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)


@needs_data
def test_ods_reads_as_xlsx(tmp_path: Path) -> None:
    # The same three tables written as .ods (sheet names with trailing spaces kept) read to the
    # same frames as the published .xlsx.
    name = "policeforceareatablesyeendingmarch2019.xlsx"
    with pd.ExcelFile(DATA / name, engine="calamine") as book:
        sheets = {
            str(s): pd.read_excel(book, sheet_name=s, header=None)
            for s in book.sheet_names
            if str(s).strip() in ("Table P1", "Table P2", "Table P3")
        }
    assert "Table P1 " in sheets  # a trailing space, as published
    ods = tmp_path / "march2019.ods"
    _write_ods(ods, sheets)
    from_ods = ons.read_pfa_tables(ods)
    from_xlsx = tables(name)
    assert from_ods.period == from_xlsx.period
    pd.testing.assert_frame_equal(from_ods.counts, from_xlsx.counts)
    pd.testing.assert_frame_equal(from_ods.changes, from_xlsx.changes)
    pd.testing.assert_frame_equal(from_ods.rates, from_xlsx.rates)


# --- Home Office open data tables ----------------------------------------------------------------

OPEN_DATA_CSV = """\
Financial Year,Financial Quarter,Force Name,Offence Description,Offence Group,Offence Subgroup,Offence Code,Number of Offences
2023/24,1,Bedfordshire,Harassment,Violence against the person,Stalking and harassment,8L,"1,210"
2023/24,2,Bedfordshire,Harassment,Violence against the person,Stalking and harassment,8L,"1,305"
2023/24,2,Bedfordshire,Stalking,Violence against the person,Stalking and harassment,8Q,97
2023/24,3,Bedfordshire,Assault with injury,Violence against the person,Violence with injury,8N,"1,002"
2023/24,1,Bedfordshire,Shoplifting,Theft offences,Shoplifting,46,858
2024/25,1,Bedfordshire,Harassment,Violence against the person,Stalking and harassment,8L,"1,250"
2024/25,1,Devon & Cornwall,Harassment,Violence against the person,Stalking and harassment,8L,"3,611"
2024/25,2,Devon & Cornwall,Harassment,Violence against the person,Stalking and harassment,8L,"3,702"
"""  # noqa: E501


def test_read_open_data_csv(tmp_path: Path) -> None:
    # Expected sums are the fixture's rows added by hand: Bedfordshire 2023/24 violence against
    # the person = 1,210 + 1,305 + 97 + 1,002 = 3,614.
    path = tmp_path / "prc-pfa-open-data.csv"
    path.write_text(OPEN_DATA_CSV, encoding="utf-8")
    data = ons.read_open_data(path)
    assert list(data.columns) == [
        "financial_year", "period", "period_end", "area_name", "offence_group", "count", "excludes",
    ]  # fmt: skip
    assert set(data["period_end"]) == {pd.Timestamp("2024-03-31"), pd.Timestamp("2025-03-31")}
    assert (data["excludes"] == "").all()
    got = data.set_index(["financial_year", "area_name", "offence_group"])["count"]
    assert got[("2023/24", "Bedfordshire", "Violence against the person")] == 3_614
    assert got[("2023/24", "Bedfordshire", "Theft offences")] == 858
    assert got[("2024/25", "Devon & Cornwall", "Violence against the person")] == 7_313
    assert set(data["period"]) == {"year ending March 2024", "year ending March 2025"}
    sub = ons.read_open_data(path, level="subgroup")
    got = sub.set_index(["financial_year", "area_name", "offence_subgroup"])["count"]
    assert got[("2023/24", "Bedfordshire", "Stalking and harassment")] == 2_612


def test_read_open_data_workbook(tmp_path: Path) -> None:
    # A spreadsheet with a cover sheet and the data split over two sheets under title rows.
    raw = pd.read_csv(pd.io.common.StringIO(OPEN_DATA_CSV), dtype=str)
    path = tmp_path / "prc-pfa-open-data.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"a": ["Police recorded crime open data tables"]}).to_excel(
            writer, sheet_name="Cover", index=False, header=False
        )
        for sheet, part in [("2023-24", raw.iloc[:5]), ("2024-25", raw.iloc[5:])]:
            title = pd.DataFrame([[f"Police recorded crime {sheet}"] + [None] * 7])
            block = pd.concat(
                [title, pd.DataFrame([raw.columns.tolist()]), part.T.reset_index(drop=True).T],
                ignore_index=True,
            )
            block.to_excel(writer, sheet_name=sheet, index=False, header=False)
    data = ons.read_open_data(path)
    got = data.set_index(["financial_year", "area_name", "offence_group"])["count"]
    assert got[("2023/24", "Bedfordshire", "Violence against the person")] == 3_614
    assert got[("2024/25", "Devon & Cornwall", "Violence against the person")] == 7_313
    assert len(data) == 4


def test_read_open_data_errors(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a Home Office open data table"):
        ons.read_open_data(path)
    good = tmp_path / "good.csv"
    good.write_text(OPEN_DATA_CSV, encoding="utf-8")
    with pytest.raises(InputError, match="level"):
        ons.read_open_data(good, level="force")


# --- population estimates and the LAD -> PFA lookup ----------------------------------------------

# SOURCES.md section 3, "PFA sums" table: (file, mid-year) -> figures.
POPULATIONS = {
    ("LAD23_Mid_Year_pop_2011_to_2022.xlsx", 2022): {
        "E06000055": 187_466, "E06000056": 301_501, "E06000032": 226_973,
        "E23000026": 715_940, "E10000008": 826_319, "E06000026": 266_862,
        "E06000027": 139_479, "E06000052": 575_413, "E06000053": 2_281,
        "E23000035": 1_810_354, "K04000001": 60_238_038,
    },
    ("LAD23_Mid_Year_pop_2011_to_2023.xlsx", 2022): {
        "E06000055": 187_503, "E06000056": 301_820, "E06000032": 227_298,
        "E23000026": 716_621, "E10000008": 826_108, "E06000026": 267_063,
        "E06000027": 139_409, "E06000052": 575_532, "E06000053": 2_281,
        "E23000035": 1_810_393, "K04000001": 60_245_218,
    },
    ("LAD23_Mid_Year_pop_2011_to_2023.xlsx", 2023): {
        "E06000055": 189_891, "E06000056": 308_302, "E06000032": 231_028,
        "E23000026": 729_221, "E10000008": 833_408, "E06000026": 268_736,
        "E06000027": 139_485, "E06000052": 578_324, "E06000053": 2_229,
        "E23000035": 1_822_182, "K04000001": 60_854_727,
    },
    ("mye24tablesew.csv", 2024): {
        "E06000055": 194_976, "E06000056": 315_877, "E06000032": 239_090,
        "E23000026": 749_943, "E10000008": 842_313, "E06000026": 272_067,
        "E06000027": 140_126, "E06000052": 583_289, "E06000053": 2_366,
        "E23000035": 1_840_161, "K04000001": 61_806_682,
    },
}  # fmt: skip


@needs_data
@pytest.mark.parametrize(("source", "year"), list(POPULATIONS), ids=lambda v: str(v))
def test_population_sums_match_sources(source: str, year: int) -> None:
    expected = POPULATIONS[(source, year)]
    mye = ons.read_mid_year_estimates(DATA / source)
    one = mye[mye["year"] == year].set_index("area_code")["population"]
    for code in ["E06000055", "E06000056", "E06000032", "E10000008", "E06000026", "E06000027",
                 "E06000052", "E06000053", "K04000001"]:  # fmt: skip
        assert one[code] == expected[code], code
    pfa = ons.pfa_population(mye, ons.read_pfa_lookup(DATA / LOOKUP), year=year)
    by_force = pfa.set_index("area_code")["population"]
    assert by_force["E23000026"] == expected["E23000026"]  # Bedfordshire
    assert by_force["E23000035"] == expected["E23000035"]  # Devon & Cornwall
    assert by_force.sum() == expected["K04000001"]  # all 43 forces = England and Wales
    assert len(pfa) == 43
    assert list(pfa.columns) == ["area_code", "area_name", "year", "population"]


@needs_data
def test_population_from_paths_and_sheets() -> None:
    # The CSV's year comes from its name (mye24 -> 2024); MYE2 gives one year from its title.
    pop = ons.pfa_population(DATA / "mye24tablesew.csv", DATA / LOOKUP)
    beds = pop.set_index("area_name").loc["Bedfordshire"]
    assert (beds["year"], beds["population"]) == (2024, 749_943)
    assert pop.set_index("area_name").loc["Devon & Cornwall", "population"] == 1_840_161
    mye2 = ons.read_mid_year_estimates(
        DATA / "LAD23_Mid_Year_pop_2011_to_2022.xlsx", sheet="MYE2 - Persons"
    )
    assert set(mye2["year"]) == {2022}
    assert mye2.set_index("area_code").loc["K04000001", "population"] == 60_238_038
    mye4 = ons.read_mid_year_estimates(DATA / "LAD23_Mid_Year_pop_2011_to_2023.xlsx")
    assert set(mye4["year"]) == set(range(2011, 2024))
    pfa = ons.pfa_population(
        DATA / "LAD23_Mid_Year_pop_2011_to_2023.xlsx", DATA / LOOKUP, year=2023
    )
    assert pfa.set_index("area_code").loc["E23000026", "population"] == 729_221


@needs_data
def test_lookup_deduplicates_districts() -> None:
    # SOURCES.md: 332 rows, 318 distinct LADs, 43 PFAs.
    raw = pd.read_csv(DATA / LOOKUP, encoding="utf-8-sig")
    assert len(raw) == 332
    lookup = ons.read_pfa_lookup(DATA / LOOKUP)
    assert len(lookup) == 318
    assert lookup["lad_code"].is_unique
    assert lookup["pfa_code"].nunique() == 43
    beds = lookup.loc[lookup["pfa_name"] == "Bedfordshire", "lad_name"]
    assert sorted(beds) == ["Bedford", "Central Bedfordshire", "Luton"]


@needs_data
def test_population_errors(tmp_path: Path) -> None:
    lookup = ons.read_pfa_lookup(DATA / LOOKUP)
    mye = ons.read_mid_year_estimates(DATA / "mye24tablesew.csv")
    with pytest.raises(InputError, match="no population estimate"):
        ons.pfa_population(mye[mye["area_code"] != "E06000055"], lookup)
    with pytest.raises(InputError, match="year: 2019"):
        ons.read_mid_year_estimates(DATA / "mye24tablesew.csv", year=2019)
    unnamed = tmp_path / "estimates.csv"
    unnamed.write_bytes((DATA / "mye24tablesew.csv").read_bytes())
    with pytest.raises(InputError, match="pass year="):
        ons.read_mid_year_estimates(unnamed)
    assert ons.read_mid_year_estimates(unnamed, year=2024)["population"].iloc[0] == 61_806_682
    with pytest.raises(InputError, match="not an ONS LAD to PFA lookup"):
        ons.read_pfa_lookup(DATA / "mye24tablesew.csv")
    clash = tmp_path / "lookup.csv"
    clash.write_text(
        "LAD23CD,LAD23NM,PFA23CD,PFA23NM\nE06000055,Bedford,E23000026,Bedfordshire\n"
        "E06000055,Bedford,E23000027,Hertfordshire\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="more than one force: E06000055"):
        ons.read_pfa_lookup(clash)
    with pytest.raises(InputError, match="MYE4 or MYE2"):
        ons.read_mid_year_estimates(DATA / "pfatablesdec19.xlsx")
