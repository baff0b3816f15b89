"""Pieces several subcommands share: the ``--set`` option and printing a summary."""

from __future__ import annotations


def add_set_option(
    parser, example: str = ", e.g. environment.mg_free_intracellular_mM=0.15"
) -> None:
    """``--set KEY=VALUE`` (repeatable): override any key of a scenario."""
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=f"override a key{example} (repeatable)",
    )


def format_value(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        shown = ", ".join(format_value(v) for v in value[:8])
        return f"[{shown}{', ...' if len(value) > 8 else ''}]"
    return str(value)


def print_summary(summary: dict) -> None:
    """Print the scalar summary keys, one per line; hand-offs one line each."""
    for key, value in summary.items():
        if key in ("title", "cramp_criterion", "scenario"):
            continue
        if key == "handoffs" and isinstance(value, dict):
            print("  hand-offs:")
            for label, record in value.items():
                figures = ", ".join(
                    f"{k} {format_value(v)}"
                    for k, v in record.items()
                    if not isinstance(v, (dict, list)) and v is not None
                )
                print(f"    {label}: {figures}")
            continue
        if isinstance(value, dict):
            continue
        if isinstance(value, list) and value and isinstance(value[0], dict):
            # records (e.g. one per dose) are for files, not for the terminal; records that
            # carry a one-line "text" (a body run's dose regimens) print it
            if all(isinstance(v, dict) and "text" in v for v in value):
                print(f"  {key}:")
                for record in value:
                    print(f"    {record['text']}")
                continue
            print(f"  {key:<28} {len(value)} records (see summary.json)")
            continue
        print(f"  {key:<28} {format_value(value)}")
