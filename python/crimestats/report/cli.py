"""The ``crimestats`` command: the founding report, and a report on any ONS police force area table.

``crimestats story`` prints the founding report's figures and sentences with the questions
behind them answered (:func:`crimestats.story.story`); ``crimestats report TABLE`` prints one
row per area of an ONS table (:func:`crimestats.story.report`) as a table, markdown, CSV or JSON,
and with ``--chart`` draws the funnel plot.

Progress goes to stderr, the report to stdout. Bad input (a file that is not an ONS table, an
offence or area that is not in it) ends with a one-line message on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO, get_args

from .. import __version__
from .._core import InputError
from ..ons import NATIONAL_CODE, population_unit
from . import phrase
from .figures import (
    DEFAULT_AREA,
    DEFAULT_OFFENCE,
    OVERDISPERSION,
    SURVEY_DEFT,
    SURVEY_VICTIMS_BASE,
    SURVEY_WOMEN_BASE,
    Progress,
)
from .story import story
from .table import FORMATS, AdjustMethod, Report, report

__all__ = ["main"]

_PROG = "crimestats"
# What the core install leaves to its extras, said where a user looks first.
_EXTRAS = (
    "The charts (--chart, --change-chart) need the plot extra: pip install 'crimestats[plot]'. "
    "The dask extra, pip install 'crimestats[dask]', adds crimestats.dask for data bigger than "
    "memory."
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_PROG,
        description="Rates, changes and comparisons behind crime statistics, with the honest "
        "uncertainty around them.",
        epilog=_EXTRAS,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    tell = commands.add_parser(
        "story",
        help="the founding report, with the questions behind its figures answered",
        description="Reproduce the founding report (Bedfordshire, stalking and harassment, the "
        "year to March 2025) from the embedded data, and say what it could not: whether the "
        "changes are more than chance, the rate per head, the comparison with England and "
        "Wales, the intervals around the survey figures. With --table, tell the same story for "
        "another area and offence from an ONS police force area table.",
    )
    tell.add_argument("--table", type=Path, metavar="FILE", help="an ONS PFA data table")
    tell.add_argument("--area", default=DEFAULT_AREA, metavar="NAME", help="area name or code")
    tell.add_argument("--offence", default=DEFAULT_OFFENCE, metavar="NAME", help="offence name")
    tell.add_argument(
        "--survey-victims",
        type=float,
        default=SURVEY_VICTIMS_BASE,
        metavar="N",
        help="assumed stalking victims among the survey's respondents "
        f"(default {phrase.number(SURVEY_VICTIMS_BASE)})",
    )
    tell.add_argument(
        "--survey-women",
        type=float,
        default=SURVEY_WOMEN_BASE,
        metavar="N",
        help=f"assumed women among the survey's respondents "
        f"(default {phrase.number(SURVEY_WOMEN_BASE)})",
    )
    tell.add_argument(
        "--deft",
        type=float,
        default=SURVEY_DEFT,
        metavar="X",
        help=f"survey design factor (default {SURVEY_DEFT:g})",
    )

    table = commands.add_parser(
        "report",
        help="one row per area of an ONS police force area table",
        description="Counts, the change on the year before (from the table's own Table P2), "
        "rates with 95 per cent intervals, the comparison with the England and Wales rate and "
        "whether each change is statistically significant, for every area of an ONS 'Police "
        "force area data tables' workbook.",
    )
    table.add_argument("table", type=Path, metavar="TABLE", help="the workbook (xlsx or ods)")
    table.add_argument("--offence", metavar="NAME", help="offence (default: total recorded crime)")
    table.add_argument(
        "--area",
        action="append",
        metavar="NAME",
        help="keep only this area (repeat for several; default: every area)",
    )
    table.add_argument("--format", choices=FORMATS, default="table", help="output format")
    table.add_argument(
        "--chart",
        type=Path,
        metavar="FILE",
        help="write a funnel plot (PNG; needs pip install 'crimestats[plot]')",
    )
    table.add_argument(
        "--change-chart",
        type=Path,
        metavar="FILE",
        help="write a chart of the changes (PNG; needs pip install 'crimestats[plot]')",
    )
    table.add_argument(
        "--previous-table",
        type=Path,
        metavar="FILE",
        help="the publication for the year before, for changes the table's own Table P2 does "
        "not give (refused when it gives them all)",
    )
    table.add_argument(
        "--adjust",
        choices=get_args(AdjustMethod),
        metavar="METHOD",
        help="adjust the changes' p-values for the number of tests (holm, hochberg, bh, by, "
        "bonferroni; as R p.adjust): adds p_adjusted and bases change_significant on it",
    )
    table.add_argument("--quiet", action="store_true", help="no progress messages on stderr")
    return parser


def _one_line(error: BaseException) -> str:
    text = str(error)
    if isinstance(error, FileNotFoundError):
        missing = error.filename if error.filename is not None else text
        text = f"no such file: {missing}"
    return re.sub(r"\s+", " ", text).strip()


def _run_story(args: argparse.Namespace, out: TextIO) -> None:
    told = story(
        area=args.area,
        offence=args.offence,
        table=args.table,
        survey_victims=args.survey_victims,
        survey_women=args.survey_women,
        deft=args.deft,
    )
    out.write(told.text())


def _charts(result: Report, args: argparse.Namespace, say: Progress) -> None:
    if args.chart is None and args.change_chart is None:
        return
    from . import plot

    unit = population_unit(result.offence)
    if args.chart is not None:
        say(f"Drawing the funnel plot to {args.chart}")
        figure = plot.funnel_plot(
            result.funnel,
            target=result.benchmark,
            overdispersion=OVERDISPERSION if result.funnel.attrs["adjusted"] else None,
            unit=unit,
            title=f"{result.offence}, {result.period}: forces against the "
            f"{result.benchmark_name} rate",
            source=f"ONS, Police force area data tables ({result.source})",
        )
        plot.save(figure, args.chart)
    if args.change_chart is not None:
        say(f"Drawing the change chart to {args.change_chart}")
        rows = result.rows
        forces = rows[rows["area_type"].isin(["force", "other"])]
        national = rows.loc[rows["area_code"] == NATIONAL_CODE, "percent_change"]
        figure = plot.change_chart(
            forces,
            benchmark=float(national.iloc[0]) if not national.empty else None,
            title=f"{result.offence}: change on the {result.previous_period}",
        )
        plot.save(figure, args.change_chart)


def _run_report(args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
    def say(message: str) -> None:
        if not args.quiet:
            err.write(f"{_PROG}: {message}\n")
            err.flush()

    result = report(
        args.table,
        offence=args.offence,
        areas=args.area,
        previous_table=args.previous_table,
        adjust=args.adjust,
        progress=say,
    )
    if args.format == "csv":
        for note in result.notes:  # CSV has no place for them; each row's note says its part
            say(f"note: {note}")
    out.write(result.render(args.format))
    out.flush()
    _charts(result, args, say)  # after the table: a chart that cannot be drawn loses nothing


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``crimestats`` command.

    Parameters
    ----------
    argv
        The arguments after the program name; by default ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success, 2 for bad input (with a one-line message on stderr).

    Examples
    --------
    >>> main(["story"])  # doctest: +ELLIPSIS
    Stalking and harassment in Bedfordshire, the year to March 2025
    ...
    0
    """
    args = _parser().parse_args(argv)
    try:
        if args.command == "story":
            _run_story(args, sys.stdout)
        else:
            _run_report(args, sys.stdout, sys.stderr)
    except (InputError, FileNotFoundError, IsADirectoryError, ModuleNotFoundError) as error:
        print(f"{_PROG}: error: {_one_line(error)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `crimestats report ... | head`
        sys.stderr.close()
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
