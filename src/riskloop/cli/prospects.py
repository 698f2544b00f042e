"""``riskloop prospects``: the ranked prospects of a day, their CSV/XLSX export, and campaigns taken from them.

``riskloop prospects --as-of DATE`` lists the stored run of that day (screening one when there is none);
``export`` writes the file a marketing team opens in Excel; ``campaign create|show|conversion`` hands a list to the
marketing team and follows the applications that name it. Every command acts as the principal of an API key
(``RISKLOOP_API_KEY`` or ``--api-key``): analysts read, export and create campaigns, auditors read; reading names
and exporting are audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from riskloop.cli.main import app
from riskloop.cli.output import cli_errors, console, emit, parse_date, progress_bars
from riskloop.config import Settings
from riskloop.domain.access import Principal
from riskloop.errors import NotFoundError, ValidationError
from riskloop.service.prospect_export import FORMATS, check_lang

if TYPE_CHECKING:
    from riskloop.domain.prospect import ProspectRun
    from riskloop.service.ports import Progress
    from riskloop.workspace import Workspace


prospects_app = typer.Typer(
    help="Prospects: healthy enterprises about to grow and the product that fits each (riskloop prospects --as-of D).",
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(prospects_app, name="prospects")
campaign_app = typer.Typer(no_args_is_help=True, help="Campaigns taken from a run: create, show, conversion.")
prospects_app.add_typer(campaign_app, name="campaign")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object")]
KeyOpt = Annotated[
    str | None,
    typer.Option("--api-key", envvar="RISKLOOP_API_KEY", show_envvar=True, help="Your API key's secret"),
]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="The day screened (YYYY-MM-DD)")]
RunOpt = Annotated[str | None, typer.Option("--run-id", help="A run by id (instead of --as-of)")]
IndustryOpt = Annotated[str | None, typer.Option("--industry", help="An industry section letter (GB/T 4754), e.g. C")]
LangOpt = Annotated[str, typer.Option("--lang", help="Headers, industry names and reasons: zh or en")]


def _growth(p: dict[str, Any]) -> str:
    if p["growth_12m"] is None:
        return "-"
    lo, hi = p["growth_12m_lo"], p["growth_12m_hi"]
    interval = "" if lo is None or hi is None else f" ({lo:.0%}~{hi:.0%})"
    return f"{p['growth_12m']:.0%}{interval}"


def _offer(p: dict[str, Any], lang: str) -> str:
    o = p["offer"]
    if o is None:
        return "-"
    terms = f"¥{o['limit_cents'] / 100:,.0f} {o['tenor_months']}m {o['rate_low']:.2f}-{o['rate_high']:.2f}%"
    return f"{o['name_en'] if lang == 'en' else o['name_zh']} {terms}"


# The table people read: (header zh, header en) and the value shown, of a prospect's JSON view in a language.
TABLE: tuple[tuple[str, str, Callable[[dict[str, Any], str], str]], ...] = (
    ("排名", "Rank", lambda p, _: str(p["rank"])),
    ("统一社会信用代码", "Credit code", lambda p, _: p["credit_code"]),
    ("企业名称", "Name", lambda p, _: p["name"]),
    ("行业", "Industry", lambda p, _: p["industry"]),
    ("地区", "Region", lambda p, _: p["region"]),
    ("评分", "Score", lambda p, _: f"{p['score']:.3f}"),
    ("预测增长(区间)", "Growth (interval)", lambda p, _: _growth(p)),
    ("近12个月销售额(元)", "Sales 12m (yuan)", lambda p, _: f"{p['last_12m_sales_cents'] / 100:,.0f}"),
    ("PD", "PD", lambda p, _: f"{p['pd']:.2%}"),
    ("纳税等级", "Tax grade", lambda p, _: p["tax_grade"] or "-"),
    ("推荐产品", "Product", _offer),
    ("理由", "Reasons", lambda p, lang: ("; " if lang == "en" else "；").join(p["reason_text"])),
)


@contextmanager
def _session(settings: Settings, secret: str | None) -> Iterator[tuple[Workspace, Principal]]:
    from riskloop.errors import UnauthenticatedError
    from riskloop.workspace import Workspace

    if not secret:
        raise UnauthenticatedError("api_key: set RISKLOOP_API_KEY (riskloop keys create --role analyst)")
    with Workspace.open(settings, create=False) as ws:
        yield ws, ws.authenticator().authenticate(secret)


def _screen(ws: Workspace, as_of: dt.date, progress: Progress, *, principal: Principal) -> ProspectRun:
    """Screen the enterprises as of ``as_of`` and store the run."""
    return ws.prospect_screen().run(principal, as_of, progress)


def _day(as_of: str | None, run_id: str | None) -> dt.date | None:
    day = parse_date(as_of, "--as-of")
    if day is None and run_id is None:
        raise ValidationError("--as-of", "give the day screened (YYYY-MM-DD), or --run-id")
    return day


def _render_page(result: dict[str, Any]) -> None:
    lang, run = result["lang"], result["run"]
    title = (f"{run['as_of']} 潜在客户 {result['total']:,} 家（第 {result['offset'] + 1} 起）" if lang == "zh" else
             f"{run['as_of']} prospects: {result['total']:,} (from {result['offset'] + 1})")  # fmt: skip
    grid = RichTable(title=title, title_justify="left")
    for zh, en, _ in TABLE:
        grid.add_column(en if lang == "en" else zh, overflow="fold", no_wrap=en == "Credit code")
    for p in result["prospects"]:
        grid.add_row(*(show(p, lang) for _, _, show in TABLE))
    console.print(grid)
    console.print(f"run {run['run_id']} by {run['created_by']}: {run['screened']:,} screened, {run['ranked']:,} "
                  f"ranked; excluded {run['excluded']}", highlight=False)  # fmt: skip


@prospects_app.callback()
def prospects_command(  # noqa: PLR0917 - Typer options are parameters
    ctx: typer.Context,
    as_of: AsOfOpt = None,
    run_id: RunOpt = None,
    industry: IndustryOpt = None,
    top: Annotated[int, typer.Option("--top", help="How many, best first")] = 50,
    offset: Annotated[int, typer.Option("--offset", help="Skip this many")] = 0,
    lang: LangOpt = "zh",
    api_key: KeyOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """The ranked prospects of the run of --as-of (screened now when that day has none), names shown (audited)."""
    if ctx.invoked_subcommand is not None:  # ``prospects export ...``: its own options
        return
    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        day, lang = _day(as_of, run_id), check_lang(lang)
        with _session(settings, api_key) as (ws, principal):
            desk, screened = ws.prospect_desk(), False
            if run_id is None:
                try:
                    desk.latest_run(principal, day)
                except NotFoundError:
                    assert day is not None
                    _screen_with_progress(ws, day, principal, json_mode)
                    screened = True
            page = desk.prospects(principal, as_of=day, run_id=run_id, industry=industry, top=top, offset=offset)
            result = {**page.to_dict(lang), "screened_now": screened}
    emit(result, json_mode, _render_page)


def _screen_with_progress(ws: Workspace, day: dt.date, principal: Principal, json_mode: bool) -> None:
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with progress_bars(*columns, json_mode=json_mode) as bar:
        task = bar.add_task("screening", total=1)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=max(total, 1))

        _screen(ws, day, progress, principal=principal)


def _format(fmt: str | None, out: Path) -> str:
    chosen = fmt or out.suffix.lstrip(".").lower()
    if chosen not in FORMATS:
        raise ValidationError("--format", f"{chosen or out.name!r} is not one of {', '.join(FORMATS)}")
    return chosen


@prospects_app.command("export")
def export_command(  # noqa: PLR0917 - Typer options are parameters
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="The file to write (.csv or .xlsx)")],
    as_of: AsOfOpt = None,
    run_id: RunOpt = None,
    industry: IndustryOpt = None,
    top: Annotated[int | None, typer.Option("--top", help="The best N only (default: all)")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="csv or xlsx (default: from --out)")] = None,
    lang: LangOpt = "zh",
    api_key: KeyOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Write the run's prospects to --out as CSV (UTF-8 with BOM) or XLSX, Chinese headers first row (audited)."""
    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        day, chosen = _day(as_of, run_id), _format(fmt, out)
        if out.is_dir():
            raise ValidationError("--out", f"{out} is a directory; give a file name")
        with _session(settings, api_key) as (ws, principal):
            desk = ws.prospect_desk()
            run = desk.latest_run(principal, day) if run_id is None else None
            data = desk.export(principal, as_of=day, run_id=run_id or (run.run_id if run else None),
                               industry=industry, top=top, fmt=chosen, lang=lang)  # fmt: skip
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        result = {"file": str(out), "format": chosen, "lang": lang, "bytes": len(data),
                  "run_id": run_id or (run.run_id if run else None)}  # fmt: skip
    emit(result, json_mode, lambda r: console.print(f"{r['file']}: {r['bytes']:,} bytes ({r['format']}, run "
                                                    f"{r['run_id']})", highlight=False))  # fmt: skip


def _render_campaign(c: dict[str, Any]) -> None:
    console.print(f"campaign {c['campaign_id']} 「{c['name']}」 of run {c['run_id']}: {c['members']:,} members, "
                  f"by {c['created_by']} at {c['created_at'][:19]}", highlight=False)  # fmt: skip


def _codes(code: list[str] | None, codes_file: Path | None) -> list[str] | None:
    found = list(code or [])
    if codes_file is not None:
        try:
            found += [line.strip() for line in codes_file.read_text(encoding="utf-8-sig").splitlines() if line.strip()]
        except OSError as exc:
            raise ValidationError("--codes", f"{codes_file}: {exc.strerror or exc}") from None
    return found if code is not None or codes_file is not None else None


@campaign_app.command("create")
def campaign_create_command(  # noqa: PLR0917 - Typer options are parameters
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="The campaign's name")],
    as_of: AsOfOpt = None,
    run_id: RunOpt = None,
    top: Annotated[int | None, typer.Option("--top", help="The best N prospects (of --industry)")] = None,
    industry: IndustryOpt = None,
    code: Annotated[list[str] | None, typer.Option("--code", help="A member's credit code, repeatable")] = None,
    codes_file: Annotated[Path | None, typer.Option("--codes", help="A file of credit codes, one a line")] = None,
    api_key: KeyOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Take a campaign from a run: its --top prospects (of --industry), or the given codes (analysts; audited)."""
    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        day, members = _day(as_of, run_id), _codes(code, codes_file)
        with _session(settings, api_key) as (ws, principal):
            desk = ws.prospect_desk()
            chosen = run_id or desk.latest_run(principal, day).run_id
            made = desk.create_campaign(principal, run_id=chosen, name=name, top=top, industry=industry, codes=members)
        result = made.to_dict()
    emit(result, json_mode, _render_campaign)


CampaignArg = Annotated[str, typer.Argument(help="The campaign's id (riskloop prospects campaign create)")]


@campaign_app.command("show")
def campaign_show_command(ctx: typer.Context, campaign_id: CampaignArg, api_key: KeyOpt = None,
                          json_mode: JsonOpt = False) -> None:  # fmt: skip
    """One campaign."""
    settings: Settings = ctx.obj
    with cli_errors(json_mode), _session(settings, api_key) as (ws, principal):
        result = ws.prospect_desk().campaign(principal, campaign_id).to_dict()
    emit(result, json_mode, _render_campaign)


def _render_conversion(r: dict[str, Any]) -> None:
    console.print(f"campaign {r['campaign_id']}: {r['applied']:,} of {r['members']:,} members applied "
                  f"({r['conversion_rate']:.1%}); approved {r['approved']:,}, declined {r['declined']:,}, "
                  f"pending {r['pending']:,}", highlight=False)  # fmt: skip


@campaign_app.command("conversion")
def campaign_conversion_command(ctx: typer.Context, campaign_id: CampaignArg, api_key: KeyOpt = None,
                                json_mode: JsonOpt = False) -> None:  # fmt: skip
    """Members that applied naming the campaign, and how their applications ended (a member counts once)."""
    settings: Settings = ctx.obj
    with cli_errors(json_mode), _session(settings, api_key) as (ws, principal):
        result = ws.prospect_desk().conversion(principal, campaign_id).to_dict()
    emit(result, json_mode, _render_conversion)


def _render_run(r: dict[str, Any]) -> None:
    console.print(f"run {r['run_id']} of {r['as_of']} by {r['created_by']}: {r['screened']:,} screened, "
                  f"{r['ranked']:,} ranked; excluded {r['excluded']}", highlight=False)  # fmt: skip
    console.print(f"versions: {r['versions']}", highlight=False)


@prospects_app.command("screen")
def screen_command(ctx: typer.Context, as_of: AsOfOpt = None, api_key: KeyOpt = None,
                   json_mode: JsonOpt = False) -> None:  # fmt: skip
    """Screen every enterprise as of --as-of into a new ranked run (analysts), with a progress bar."""
    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        day = _day(as_of, None)
        assert day is not None
        with _session(settings, api_key) as (ws, principal):
            columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
            with progress_bars(*columns, json_mode=json_mode) as bar:
                task = bar.add_task("screening", total=1)

                def progress(stage: str, done: int, total: int) -> None:
                    bar.update(task, description=stage, completed=done, total=max(total, 1))

                run = _screen(ws, day, progress, principal=principal)
    emit(run.to_dict(), json_mode, _render_run)


@prospects_app.command("train-forecast")
def train_forecast_command(
    ctx: typer.Context,
    as_of: AsOfOpt = None,
    seed: Annotated[int, typer.Option("--seed", help="Seeds sampling and LightGBM: same seed, same model")] = 0,
    api_key: KeyOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Train the business-scale forecaster on what was known on --as-of and register it (analysts).

    Another person releases it: `riskloop models approve` and `activate`.
    """
    from riskloop.domain.access import ANALYST, require_role
    from riskloop.service.forecast_training import train_and_register_forecast

    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        day = _day(as_of, None)
        assert day is not None
        with _session(settings, api_key) as (ws, principal):
            require_role(principal, (ANALYST,), "training the forecaster")
            ws.require_ingested("tax_declarations")
            with progress_bars(TextColumn("{task.description}"), BarColumn(), json_mode=json_mode) as bar:
                task = bar.add_task("forecast", total=1)

                def progress(stage: str, done: int, total: int) -> None:
                    bar.update(task, description=f"forecast {stage}", completed=done, total=max(total, 1))

                result = train_and_register_forecast(ws.model_home(), day, seed=seed, author=principal.name,
                                                     progress=progress)  # fmt: skip
    emit(result, json_mode, lambda r: console.print(f"{r['model_id']} registered ({r['enterprises']:,} enterprises); "
                                                    f"next: {r['next']}", highlight=False))  # fmt: skip


@prospects_app.command("policy-register")
def policy_register_command(ctx: typer.Context, path: Annotated[Path, typer.Argument(help="A screening policy JSON")],
                            api_key: KeyOpt = None, json_mode: JsonOpt = False) -> None:  # fmt: skip
    """Register a screening policy file as the next version (analysts; released by another person)."""
    from riskloop.domain.access import ANALYST, require_role
    from riskloop.service.prospect_models import register_screening_policy

    settings: Settings = ctx.obj
    with cli_errors(json_mode), _session(settings, api_key) as (ws, principal):
        require_role(principal, (ANALYST,), "registering a screening policy")
        result = register_screening_policy(ws.model_home(), path, principal.name)
    emit(result, json_mode, lambda r: console.print(f"{r['model_id']} ({r['policy_version']}) registered; next: "
                                                    f"{r['next']}", highlight=False))  # fmt: skip
