"""``riskloop demo``: the whole loop on a small synthetic universe, with a readable summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from riskloop.cli.main import app
from riskloop.cli.output import cli_errors, console, emit, err_console, parse_date
from riskloop.config import Settings
from riskloop.domain.clock import SystemClock
from riskloop.domain.decision_request import DecisionRequest
from riskloop.synth.params import DEFAULT_AS_OF

if TYPE_CHECKING:
    from riskloop.jobs.demo import ApiShapes

BAR_WIDTH = 40
BARS = {"generate": "generate", "ingest": "ingest", "gather": "decide", "decide": "decide", "record": "record"}


@app.command()
def demo(
    ctx: typer.Context,
    *,
    enterprises: Annotated[int, typer.Option(help="Enterprises in the synthetic universe")] = 30_000,
    seed: Annotated[int, typer.Option(help="Seed of the universe and the model")] = 7,
    as_of: Annotated[str | None, typer.Option("--as-of", help="The universe's today, YYYY-MM-DD")] = None,
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Generate, ingest, train, deploy with four eyes, decide the last months as the API would, and summarise.

    Leaves a workspace `riskloop serve` serves at once, with API keys of the demo roles and an example body.
    """
    from riskloop.jobs.demo import DemoOptions, run_demo
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        options = DemoOptions(enterprises=enterprises, seed=seed, as_of=parse_date(as_of) or DEFAULT_AS_OF)
        ws = Workspace.open(settings, clock=SystemClock())
        if json_mode:
            with ws:
                result = run_demo(ws, options, _api())
        else:
            columns = (TextColumn("{task.description:<16}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            with ws, Progress(*columns, console=err_console) as bar:
                tasks: dict[str, Any] = {}

                def progress(stage: str, done: int, total: int) -> None:
                    key = BARS.get(stage, "model")  # training, graph and publishing stages share one bar
                    if key not in tasks:
                        tasks[key] = bar.add_task(stage, total=total or None)
                    bar.update(tasks[key], description=stage, completed=done, total=total or None)

                result = run_demo(ws, options, _api(), progress)
    emit(result, json_mode, _render)


def _api() -> ApiShapes:
    """How the API takes an application's body, keeps its digest and renders its response."""
    from riskloop.api.render import posted_body
    from riskloop.api.schemas import posted_digest
    from riskloop.jobs.demo import ApiShapes

    return ApiShapes(body=_body, digest=posted_digest, render=posted_body)


def _body(request: DecisionRequest) -> dict[str, Any]:
    """The request as the API's JSON body."""
    from riskloop.api.schemas import ApplicationIn

    return ApplicationIn.from_request(request).model_dump(mode="json", exclude_none=True)


def _render(result: dict[str, Any]) -> None:
    d = result["decision"]
    ing = result["ingest"]
    console.print(
        f"universe [bold]{result['universe']}[/]: {result['enterprises']:,} enterprises, "
        f"{result['rows_generated']:,} rows; ingested {ing['loaded']:,} rows, quarantined {ing['quarantined']:,}"
    )
    tiers = RichTable(
        title=f"{d['decided']:,} applications decided (last {result['decide_window_days']} days)", show_edge=False
    )
    for name, justify in (("tier", "left"), ("count", "right"), ("share", "right"), ("", "left")):
        tiers.add_column(name, justify=justify)  # type: ignore[arg-type]
    for tier, count in d["tiers"].items():
        share = count / d["decided"] if d["decided"] else 0.0
        tiers.add_row(tier.replace("_", " "), f"{count:,}", f"{share:6.1%}", "█" * round(share * BAR_WIDTH))
    console.print(tiers)
    low, high = d["auc_ci95"]
    bad_approved = "n/a" if d["bad_rate_approved"] is None else f"{d['bad_rate_approved']:.2%}"
    terms, held = d["approved_terms"], d["honest_held_by_graph"]
    granted = (
        f"median limit ¥{terms['median_limit_yuan']:,.0f} at {terms['median_rate_percent']:.2f}% a year"
        if terms["applications"]
        else "none approved"
    )
    console.print(
        Panel.fit(
            f"approval rate          {d['approval_rate']:.1%}\n"
            f"straight-through rate  {d['straight_through_rate']:.1%}  (auto-approve + auto-reject)\n"
            f"fraud-ring approved    {d['fraud_approved']} of {d['fraud_applications']} fraud-ring applications"
            " (goal 0)\n"
            f"honest held by graph   {held['referred']} referred, {held['rejected']} sent to reject"
            f" of {held['honest']:,} honest applications\n"
            f"approved terms         {granted}\n"
            f"AUC vs ground truth    {d['auc_vs_truth']:.3f}  (95% CI {low:.3f}-{high:.3f})\n"
            f"KS vs ground truth     {d['ks_vs_truth']:.3f}\n"
            f"bad rate: all          {d['bad_rate_all']:.2%}   approved {bad_approved}",
            title=f"decisions of {result['strategy']['key']} with {result['model']['model_id']} vs ground truth",
        )
    )
    models = RichTable(
        title=f"models trained on {d['train_loans']:,} matured loans (observed bad rate {d['train_bad_rate']:.2%})",
        show_edge=False,
    )
    models.add_column("model", no_wrap=True)
    for name in ("AUC vs truth", "95% CI"):
        models.add_column(name, justify="right")
    models.add_column("")
    for name, fig in d["models_vs_truth"].items():
        bar = "█" * max(0, round((fig["auc"] - 0.5) * 2 * BAR_WIDTH))
        models.add_row(name, f"{fig['auc']:.3f}", f"{fig['ci95'][0]:.3f}-{fig['ci95'][1]:.3f}", bar)
    console.print(models)
    if d["top_decline_reasons"]:
        reasons = RichTable(title="most frequent reasons on referrals and declines", show_edge=False)
        for name, justify in (("code", "left"), ("reason", "left"), ("applications", "right")):
            reasons.add_column(name, justify=justify)  # type: ignore[arg-type]
        for r in d["top_decline_reasons"]:
            reasons.add_row(r["code"], r["text"], f"{r['count']:,}")
        console.print(reasons)
    _render_monitoring(result["monitoring"])
    _render_outcomes(result["outcomes"])
    _render_collections(result["collections"])
    _render_front_door(result["front_door"])
    _render_prospects(result["prospects"])
    _render_watched(result)
    _render_deployment(result)
    console.print("seconds: " + ", ".join(f"{k} {v}" for k, v in result["seconds"].items()))
    _render_next(result["next"])
    _render_console(result["serve"])


def _render_outcomes(o: dict[str, Any]) -> None:
    """Outcomes back: bad rates by months on book, overall and of the latest matured vintages."""
    rates = ", ".join(
        f"{h} {'—' if o['overall'][h]['bad_rate'] is None else format(o['overall'][h]['bad_rate'], '.1%')} "
        f"of {o['overall'][h]['matured']:,}"
        for h in ("3m", "6m", "12m")
    )
    vintages = "; ".join(
        f"{k}: {v['6m']['bad_rate']:.1%} of {v['6m']['matured']:,}" for k, v in o["by_vintage"].items()
    )
    console.print(
        f"outcomes as of {o['as_of']}: {o['loans']:,} loans; bad (90+ dpd) by months on book: {rates}; "
        f"6-month bad rate of the latest vintages: {vintages or '—'}",
        highlight=False,
    )


def _render_collections(c: dict[str, Any]) -> None:
    """Collection 智能催收: the learned policy against the historical one, the plans, the call QA."""
    p, qa = c["policy"], c["qa"]
    if "skipped" in p:
        console.print(f"collection policy not trained: {p['skipped']}", highlight=False)
    else:
        truth, ope = p["vs_truth"], p["ope"]
        table = RichTable(
            title=f"collection 智能催收 {p['model_id']}: held-out {truth['rounds']:,} rounds of {truth['cases']:,} "
            "overdue cases (true values from the universe; DR: what a bank would estimate)",
            show_edge=False,
        )
        for name in ("policy", "net recovered / 100 cases", "cure rate / round", ""):
            table.add_column(name, justify="left" if name in ("policy", "") else "right")
        top = max(truth[k]["net_per_100_cases_yuan"] for k in ("learned", "historical", "best_fixed_arm"))
        for key, label in (("learned", "learned (greedy)"), ("historical", "historical"),
                           ("best_fixed_arm", f"best single arm {truth['best_fixed_arm']['arm']}")):  # fmt: skip
            row = truth[key]
            share = max(row["net_per_100_cases_yuan"], 0) / top if top > 0 else 0.0
            table.add_row(label, f"¥{row['net_per_100_cases_yuan']:,.0f}", f"{row['cure_rate_per_round']:.1%}",
                          "█" * round(share * BAR_WIDTH))  # fmt: skip
        console.print(table)
        release = p["release"]
        status = f"refused: {release['refused']}" if "refused" in release else f"{release['status']}"
        dr = ope["dr"]
        console.print(
            f"off-policy estimate per round: DR ¥{dr['value'] / 100:,.0f} (95% ¥{dr['low'] / 100:,.0f} to "
            f"¥{dr['high'] / 100:,.0f}, {ope['effective_sample_size']:,.0f} rounds' worth) vs logged "
            f"¥{ope['logged_net_per_round_cents'] / 100:,.0f}; release {status}",
            highlight=False,
        )
        if "plan" in p:
            plan = p["plan"]
            actions = ", ".join(f"{a} {n:,}" for a, n in sorted(plan["by_action"].items(), key=lambda kv: -kv[1]))
            console.print(f"next best actions for {plan['planned']:,} open cases: {actions or '—'}", highlight=False)
    if "skipped" in qa:
        console.print(f"call QA not trained: {qa['skipped']}", highlight=False)
    else:
        found = ", ".join(f"{k} {v:,}" for k, v in qa["findings_by_issue"].items()) or "none"
        console.print(
            f"call QA 质检 {qa['model_id']} (trained on {qa['reviewed_calls']:,} reviewed calls): "
            f"{qa['calls']:,} calls checked, {qa['calls_with_qa_case']:,} QA cases for the lead; findings {found}",
            highlight=False,
        )


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _render_front_door(f: dict[str, Any]) -> None:
    """The front door 前端风控: registrations screened, text tags, a confirmed gang, identity and consent."""
    _render_registrations(f["registrations"])
    _render_text_tags(f["text_tags"])
    _render_gang(f["lists"])
    _render_identity(f["identity"])


def _render_prospects(p: dict[str, Any]) -> None:
    """Marketing-stage screening 营销阶段优质潜在客户筛选: the run, the campaign and its top against the truth."""
    run, campaign, truth = p["run"], p["campaign"], p["vs_truth"]
    excluded = ", ".join(f"{k} {v:,}" for k, v in run["excluded"].items())
    seen = (f"成长且未违约 grew >= 20 % without default: 名单 campaign {_share(truth['campaign_event_rate'])} vs 全体 "
            f"base rate {_share(truth['base_rate'])}" if "skipped" not in truth else truth["skipped"])  # fmt: skip
    console.print(
        f"潜在客户 prospects {run['as_of']}: {run['screened']:,} 家企业筛查 screened, {run['ranked']:,} 家入选 ranked "
        f"(排除 excluded: {excluded}); 预测模型 forecast {p['forecast']}, 产品目录 catalogue {p['catalogue']}; "
        f"营销名单 campaign {campaign['campaign_id']} 前 {campaign['members']:,} 家 top, "
        f"{p['with_offer']:,} 家有推荐产品 with an offer; {seen}. 查看 see: riskloop prospects --as-of {run['as_of']}",
        highlight=False,
    )


def _render_registrations(r: dict[str, Any]) -> None:
    o, truth = r["outcomes"], r["vs_truth"]
    table = RichTable(
        title=f"注册反欺诈 registrations ({r['policy']}): {r['registrations']:,} 按时间重放 replayed — 通过 accept "
        f"{o['accept']:,}, 二次验证 step-up {o['step_up']:,}, 拦截 block {o['block']:,}",
        show_edge=False,
    )
    for name in ("注册 registrations", "n", "拦截 blocked", "拦截或二次验证 intercepted"):
        table.add_column(name, justify="left" if name.startswith("注册") else "right")
    labels = {"burst": "集中爆发 burst", "drip": "慢速滴灌 drip", "rotating": "轮换设备 rotating"}
    for shape, row in truth["attacks"].items():
        table.add_row(f"攻击 attack: {labels.get(shape, shape)}", f"{row['registrations']:,}",
                      _share(row["blocked_share"]), _share(row["intercepted_share"]))  # fmt: skip
    h = truth["honest"]
    table.add_row("正常注册 honest", f"{h['registrations']:,}", _share(h["blocked_share"]),
                  _share(h["intercepted_share"]))  # fmt: skip
    console.print(table)


def _render_text_tags(t: dict[str, Any]) -> None:
    if "skipped" in t:
        console.print(f"文本风险标签 text tags: 未训练 not trained: {t['skipped']}", highlight=False)
        return
    v, release = t["vs_truth"], t["release"]
    families = {"litigation": "诉讼 litigation", "enforcement": "执行 enforcement", "regulatory": "监管 regulatory",
                "control": "实控人 control"}  # fmt: skip
    per = "; ".join(
        f"{families.get(k, k)} {x['found']:,} (P {_share(x['precision'])}, R {_share(x['recall'])})"
        for k, x in v["by_family"].items()
    )
    console.print(
        f"文本风险标签 text tags {t['model_id']}: 由 {release['registered_by']} 训练 trained on {t['trained_on']:,} of "
        f"{t['reviewed_documents']:,} 人工复核文书 reviewed documents (抽样 sampled), 由 {release['approved_by']} "
        f"批准 approved ({release['status']}); 抽样 {t['tagged']:,} of {t['documents']:,} 篇未复核文书 unreviewed "
        f"documents tagged: {v['found']:,} 个标签 tags, 准确率 precision {_share(v['precision'])}, 召回率 recall "
        f"{_share(v['recall'])} vs truth; 按类 by family: {per}. 全量 all documents: riskloop text tag",
        highlight=False,
    )


def _render_gang(g: dict[str, Any]) -> None:
    if "skipped" in g:
        console.print(f"名单 lists: {g['skipped']}", highlight=False)
        return
    again = "（已确认 already confirmed）" if g["already_confirmed"] else ""
    console.print(
        f"名单 lists: {g['gangs']:,} 个团伙 gangs detected; 最大团伙 largest {g['gang_id']} ({g['members']} 家企业 "
        f"members, {g['in_planted_rings']} in planted rings) 由 {g['reviewer']} 确认 confirmed{again}: "
        f"{g['entries_listed']} 条黑名单 black-list entries (version {g['version']})",
        highlight=False,
    )
    app = g["new_application"]
    if "skipped" in app:
        console.print(f"  {app['skipped']}", highlight=False)
        return
    first, *more = app["reasons"] or [{"code": "—", "zh": ""}]
    reasons = f"{first['code']} {first['zh']}" + (f" (+{len(more)})" if more else "")
    console.print(
        f"  成员新申请 new application {app['application_id']} of {app['credit_code']}: {app['tier']} — {reasons}",
        highlight=False,
    )


def _render_identity(i: dict[str, Any]) -> None:
    if "skipped" in i:
        console.print(f"身份核验 identity verification: {i['skipped']}", highlight=False)
        return
    v, c = i["verification"], i["consent"]
    failed = [k for k, ok in v["identity"].items() if not ok]
    console.print(
        f"身份核验 identity verification: 会话 session {v['verification_id']} opened by {v['channel']} (expires "
        f"{v['expires_at'][:16]}); 短信 SMS: {v['sms']}; 运营商 carrier: {v['carrier']} — 未配置供应商，不作假 "
        f"no vendor configured, nothing faked: a decision naming it reads "
        f"{', '.join(failed) or 'nothing'} as failed",
        highlight=False,
    )
    pulled = "已配置 configured" if c["source_configured"] else "未配置，不会查询 not configured, nothing is pulled"
    console.print(
        f"征信授权 consent {c['consent_id']} recorded by {c['recorded_by']}: {', '.join(c['sources'])} for "
        f"{c['purpose']} until {c['expires_at'][:10]}; source {', '.join(c['sources'])}: {pulled}",
        highlight=False,
    )


def _render_watched(result: dict[str, Any]) -> None:
    """The recorded decisions, the model monitoring run on them and the funnel."""
    r, m, e = result["recorded"], result["model_monitoring"], result["effect"]
    console.print(
        f"decisions recorded for {r['owner']}: {r['stored']:,} stored ({r['queued']:,} queued for review), "
        f"{r['replayed']:,} already stored; {result['outcomes']['with_decision']:,} loans linked to one",
        highlight=False,
    )
    psi = "n/a" if m["score_psi"] is None else f"{m['score_psi']:.3f}"
    inputs = ", ".join(f"{x['input']} {x['psi']:.3f}" for x in m["top_input_psi"]) or "n/a"
    crossed = ", ".join(f"{c['metric']} ({c['level']})" for c in m["crossed"]) or "none"
    console.print(
        f"model monitoring of {m['model']} as of {m['as_of']}: score PSI {psi} over {m['decisions']:,} decisions "
        f"of the last {m['window']['days']} days; most shifted inputs {inputs}; thresholds crossed: {crossed}",
        highlight=False,
    )
    f = e["funnel"]
    console.print(
        "funnel: "
        + " → ".join(f"{stage} {f[stage]:,}" for stage in ("applied", "decided", "approved", "drawn"))
        + f" → repaid {f['repaid']:,} / defaulted {f['defaulted']:,}",
        highlight=False,
    )


def _render_monitoring(m: dict[str, Any]) -> None:
    """Post-loan monitoring: alerts by level and origin, lead time before default, one propagated path."""
    lead = m["lead_time"]
    table = RichTable(
        title=f"post-loan monitoring 贷后预警: {len(m['runs'])} month ends, {m['loans_on_book']:,} loans on the book,"
        f" {lead['defaults_in_period']:,} defaults in the period ({m['policy']})",
        show_edge=False,
    )
    for name in ("level", "direct", "propagated", "warned ≥30 d", "≥60 d", "≥90 d", "median lead"):
        table.add_column(name, justify="left" if name == "level" else "right")
    for level in ("warning", "attention", "notice"):
        row = lead[level]
        median = "-" if row["median_lead_days"] is None else f"{row['median_lead_days']:.0f} d"
        table.add_row(
            f"{row['label']} {level}",
            f"{m['alerts']['direct'].get(level, 0):,}",
            f"{m['alerts']['propagated'].get(level, 0):,}",
            *(f"{row[f'warned_{x}d']:.0%}" for x in (30, 60, 90)),
            median,
        )
    console.print(table)
    b = m.get("behaviour") or {}
    if "model_id" in b:
        console.print(
            f"behaviour score 行为评分 {b['model_id']}: {b['rows']:,} loan-months, {b['bads']:,} bad, CV AUC "
            f"{b['cv_auc']:.3f}, approved by {b['approved_by']}; {b['scored']}",
            highlight=False,
        )
    elif "skipped" in b:
        console.print(f"behaviour score not trained: {b['skipped']}", highlight=False)
    example = m["propagated_example"]
    if example:
        hops = " → ".join([example["path"][0]["from"], *(f"[{h['edge_kind']}] {h['to']}" for h in example["path"])])
        console.print(
            f"propagated {example['level_zh']} {example['level']} on {example['credit_code']} ({example['period']}),"
            f" from {example['source_signal']} on {example['source']}: {escape(hops)}",
            highlight=False,
            soft_wrap=True,
        )


def _render_next(nxt: dict[str, Any]) -> None:
    """The commands to run next, unboxed and unwrapped so they copy and paste as they are."""
    console.rule("next")
    steps = (
        ("serve the workspace (ready once it has loaded the graph: GET /readyz answers 200)", [nxt["serve"]]),
        ("post the example application, from another terminal", nxt["curl"]),
        ("read the model's validation report", [nxt["report"]]),
    )
    for title, commands in steps:
        console.print(f"[bold]{title}[/]")
        for command in commands:
            console.print(command, markup=False, highlight=False, soft_wrap=True)


def _render_console(serve: dict[str, Any]) -> None:
    """The console's address and a sign-in for each demo role (the secrets of the keys file; never in --json)."""
    console.rule("console")
    console.print(f"[bold]{serve['console']['url']}[/] (once served), signed in with one of these demo keys:")
    keys = json.loads(Path(serve["keys_file"]).read_text(encoding="utf-8"))
    table = RichTable(box=None, pad_edge=False)
    for column in ("role", "principal", "API key"):
        table.add_column(column)
    for role, entry in keys.items():
        table.add_row(role, entry["principal"], entry["secret"])
    console.print(table)


def _render_deployment(result: dict[str, Any]) -> None:
    model, strategy, serve = result["model"], result["strategy"], result["serve"]
    console.print(
        f"model [bold]{model['model_id']}[/] {model['status']}: registered by {model['registered_by']}, "
        f"approved by {model['approved_by']}\n"
        f"strategy [bold]{strategy['key']}[/] {strategy['status']}: authored by {strategy['author']}, "
        f"approved by {strategy['approved_by']}\n"
        f"graph {result['graph']['nodes']:,} nodes, {result['graph']['edges']:,} edges; features of "
        f"{result['features']['enterprises']:,} enterprises published\n"
        f"API keys of {', '.join(serve['principals'].values())}: {serve['keys_file']} (secrets, mode 0600)",
        highlight=False,
    )
