"""The HTML report on a small hand-built storage root (plain Python, no Dagster): verdict first,
each failed case with its cause (filter, rank, missing point), abstentions n/a, parser flags,
run-to-run comparison, the Markdown summary; and the verdict inside the first screen of headless
Chromium (1200 × 1100 px)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from rag_eval_assets.lib.evaluation.generation import evaluate_traces, summarize
from rag_eval_assets.lib.evaluation.pipeline_traces import build_trace, gold_case
from rag_eval_assets.lib.generation import Answer, Claim, EvidenceChunk, PhraseJudge
from rag_eval_assets.lib.outputs import Outputs
from rag_eval_assets.lib.report.inputs import ReportInputs
from rag_eval_assets.lib.report.run_report import build_report
from rag_eval_assets.lib.report.scorecard import scorecard

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars"]
VERSIONS = [("retriever", "r"), ("index", "i"), ("sparse", "s"), ("dense", "d"), ("fusion", "f"), ("reranker", "x")]
TEXTS = {"d1": "Audit logs are retained for 400 days. Exports run nightly.", "d2": "Meridian SSO supports SAML logins.",
         "d3": "Gardening advice: water the tomatoes daily.", **{f"f{i:02d}": f"Filler page {i} about nothing."
                                                                 for i in range(40)}}
QUESTIONS = {"q1": "How long are audit logs retained?", "q2": "Which login protocol does Meridian SSO support?",
             "q3": "How often should tomatoes be watered?", "q4": "How long are audit logs kept and when do exports run?",
             "q5": "How long are audit logs retained in days?"}
ANSWERS = {"q1": "Audit logs are retained for 400 days", "q2": "Meridian SSO supports SAML logins",
           "q3": "Water the tomatoes daily", "q4": "Audit logs are retained for 400 days. Exports run nightly at midnight",
           "q5": "Audit logs are retained for 400 days"}
GOLD = {"q1": "d1", "q2": "d2", "q3": "d3", "q4": "d1", "q5": "d1"}
FILTERS = {"q2": {"predicate": {"locale": "de-DE"}, "correct_predicate": {"locale": "en"}}}
CLAIM = Claim("c1", "Audit logs are retained for 400 days", "d1#0000", ("Audit logs are retained for 400 days",))


def _chunk(doc: str) -> str:
    return f"{doc}#0000"


def _generation(out: Outputs) -> None:
    """Five traced cases through the real scoring: q1 passes; q2's filter admits nothing (the
    generator abstains); q3's gold ranks 37th; q4 misses its second point; q5 answers nothing."""
    evidence = {_chunk(d): EvidenceChunk(_chunk(d), d, f"{d}/v1", True, True, t) for d, t in TEXTS.items()}
    chunks = {d: [(_chunk(d), t)] for d, t in TEXTS.items()}
    fillers = [_chunk(f"f{i:02d}") for i in range(40)]
    ranked = {"q1": [_chunk("d1"), *fillers], "q2": [_chunk("d2"), *fillers], "q3": [*fillers[:36], _chunk("d3")],
              "q4": [_chunk("d1"), *fillers], "q5": [_chunk("d1"), *fillers]}
    answers = {"q1": Answer((CLAIM,)), "q2": Answer((), True), "q3": Answer((), True), "q4": Answer((CLAIM,)),
               "q5": Answer((), True)}
    golds, traces = {}, []
    for q, question in QUESTIONS.items():
        case, points = gold_case(q, question, {"answer": ANSWERS[q], "intent": "factoid"}, [GOLD[q]], chunks)
        golds[q] = case
        admitted = (lambda c: False) if q == "q2" else (lambda c: True)
        traces.append(build_trace(case, question, ranked[q], admitted, lambda _q, ids: list(ids), evidence, VERSIONS,
                                  lambda _q, _ctx, q=q: answers[q], points, candidates=20, context_k=3, slice_label="factoid"))
    results = evaluate_traces(traces, golds, evidence, PhraseJudge())
    out.write_json("generation_eval", summarize(results, "support_phrases_in_chunk", "Fixed", 0.95), key="_summary")
    out.write_json("generation_eval", [r.as_row() for r in results], key="_cases")
    out.write_bytes("generation_eval", "_traces", "jsonl", "".join(json.dumps(t.to_dict()) + "\n" for t in traces).encode())
    out.write_json("retrieval_eval", {"hybrid": {q: [[c, 1.0 / i] for i, c in enumerate(r, 1)] for q, r in ranked.items()}},
                   key="_hits")


def _storage(root: Path, false_exclusion: float = 0.2) -> Outputs:
    out = Outputs(str(root))
    out.write_rows("corpus_manifest", [{"doc_id": d, "doc_class": "pdf_tables", "locale": "en-US"} for d in TEXTS])
    docs = [{"doc_id": f"t{i}", "parser": p, "doc_class": "pdf_tables", "path": f"pdf_tables/t{i}.pdf", "cer": cer,
             "completeness": 1.023, "over_extraction": False, "teds": teds, "failure_kind": None, "pages": 1,
             "seconds": 0.1} for i in range(8) for p, cer, teds in (("docling", 0.01, 0.0), ("pymupdf4llm", 0.02, 0.818))]
    out.write_rows("parser_scorecard", scorecard(docs, ["parser", "doc_class"], ["cer", "completeness",
                                                                                   "over_extraction", "teds"]))
    out.write_rows("parser_scorecard", docs, key="_documents")
    lanes = [{"lane": lane, "recall@10": r, "recall@100": 1.0, "precision@10": 0.1, "hit@10": r, "ndcg@10": r - 0.1,
              "mrr": 0.7, "ap": 0.6} for lane, r in (("dense", 0.8), ("sparse", 0.9), ("hybrid", 0.957))]
    out.write_json("retrieval_eval", {"means": lanes, "delta_ndcg@10": {"dense": 0.157, "sparse": 0.057}, "queries": 5,
                                      "slice_fields": []}, key="_summary")
    out.write_rows("retrieval_eval", [{"query_id": q, "hybrid_ndcg@10": 1.0, "hybrid_mrr": 1.0} for q in QUESTIONS],
                   key="_per_query")
    out.write_json("filter_eval", {
        "queries": 5, "false_exclusion_rate": false_exclusion, "excluded": ["q2"], "excluded_by_correct_predicates": [],
        "false_exclusion_rate_correct_predicates": 0.0, "naive_survivor_recall@10": 0.8, "survivor_only_recall@10": 1.0,
        "recall@10_unfiltered": 1.0, "predicates": {"precision": 0.5, "recall": 1.0},
        "fields": [{"field": "locale", "queries": 1, "decision": "soft", "reason": "excludes gold",
                    "hard_false_exclusion": 1.0, "hard_recall": 0.0, "soft_recall": 1.0}], "ontology": []},
        key="_summary")
    out.write_rows("filter_eval", [{"query_id": q, "excluded": q == "q2", "correct_label": q != "q2"} for q in QUESTIONS],
                   key="_per_query")
    _generation(out)
    return out


def _checks(false_exclusion: float = 0.2) -> list[dict]:
    def check(asset, name, passed, value, limit, n, severity="ERROR", **extra):
        return {"asset": asset, "name": name, "passed": passed, "severity": severity, "run_id": "refresh-1",
                "metadata": {"value": value, "limit": limit, "n": n, "severity": severity, **extra}}

    return [check("parser_scorecard", "routed_parsers_within_thresholds", True, 0.0, "≤ 0", "1 class",
                  routes="*→docling"),
            check("retrieval_eval", "hybrid_recall_at_10", True, 0.957, "≥ 0.800", "5 judged queries"),
            check("filter_eval", "false_exclusion_rate", false_exclusion == 0.0, false_exclusion, "≤ 0.000",
                  "5 judged queries with a filter", excluded_queries="q2"),
            check("generation_eval", "release_gate", False, 0.2, "≥ 0.950", "5 cases in 1 slices",
                  lowest_slice="factoid", overall_pass_rate="0.2000"),
            check("chunks", "hierarchy_preservation", False, 0.616, "≥ 0.900", "57 chunks", severity="WARN"),
            {"asset": "vector_index", "name": "ann_recall_at_k", "passed": None, "run_id": "refresh-1", "metadata": {}}]


@pytest.fixture()
def report(tmp_path):
    store = _storage(tmp_path / "storage")
    inputs = ReportInputs(checks=_checks(), refresh_run_id="refresh-1", run_id="report-1", stamp="today",
                          predicates=FILTERS, answers=ANSWERS)
    return store, build_report(store, inputs=inputs, report_path=str(tmp_path / "r.html"))


def _case_row(html: str, case_id: str) -> str:
    match = re.search(rf"<tr><td><a href='#trace-{case_id}'>{case_id}</a></td>(.*?)</tr>", html)
    assert match, case_id
    return match.group(1)


def _cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]


def test_failed_cases_show_their_cause_and_link_their_trace(report):
    _, r = report
    q2, q3, q4, q5 = (_cells(_case_row(r.html, q)) for q in ("q2", "q3", "q4", "q5"))
    assert q2[1] == "candidate retrieval" and "gold excluded by filter locale=de-DE" in q2[2]
    assert "labelled correct: locale=en" in q2[2] and "gold document has locale=en-US" in q2[2]
    assert q3[1] == "candidate retrieval" and "gold ranked 37 in hybrid retrieval" in q3[2]
    assert q4[1] == "points missing" and q4[2] == "points missing: “Exports run nightly at midnight”"
    assert q5[1] == "no answer" and q5[2] == "no answer: the generator abstained"
    assert "<details id='trace-q2'>" in r.html and "_html" not in r.html  # the link has its target
    assert "<a href='#trace-q1'>" not in r.html  # passing cases are not listed


def test_abstained_cases_are_not_applicable_not_zero(report):
    store, r = report
    rows = {c["case_id"]: c for c in store.read_json("generation_eval", "_cases")}
    for q in ("q2", "q3", "q5"):  # no claim: nothing to be faithful to or to cite
        assert rows[q]["n_claims"] == 0 and rows[q]["faithfulness"] is None and rows[q]["citation_support"] is None
        cells = _cells(_case_row(r.html, q))
        assert cells[5] == "n/a" and cells[6] == "n/a", (q, cells)  # faithfulness, citation support
    assert _cells(_case_row(r.html, "q4"))[5] == "1.000"  # a made claim is scored
    summary = store.read_json("generation_eval", "_summary")
    assert summary["means"]["faithfulness"] == 1.0 and summary["means_n"]["faithfulness"] == 2  # over claiming cases


def test_verdict_comes_first_with_the_gates_of_the_run(report):
    _, r = report
    html = r.html
    verdict = html[html.index("id='verdict'"):html.index("</section>", html.index("id='verdict'"))]
    assert html.index("id='verdict'") < min(html.index(f"id='{s}'") for s in ("checks", "stage-parse", "stage-generation"))
    assert "Release blocked: 3 ERROR checks failing" in verdict  # two fail, ann_recall_at_k was not evaluated
    assert "filter_eval:false_exclusion_rate" in verdict and "0.200" in verdict and "≤ 0.000" in verdict
    assert "generation_eval:release_gate" in verdict and "≥ 0.950" in verdict
    assert "the refresh stopped before this check ran" in verdict
    assert "candidate retrieval · 1 gold excluded by filter" in verdict  # first failed stage, attributed
    assert "points missing" in verdict and "no answer" in verdict and "Stages losing most" in verdict
    assert "No previous run" in verdict


def test_parse_section_flags_a_losing_parser_and_explains_completeness(report):
    _, r = report
    assert "pdf_tables: TEDS docling (routed) 0.000 vs 0.818 for pymupdf4llm, over 8 documents" in r.html
    assert "extracted / expected characters" in r.html and "over-extraction" in r.html
    assert r.html.count("data:image/png;base64,") >= 5  # parse, retrieval, filters, generation figures and more
    assert "of 5 judged queries" in r.html  # numbers carry what they are over


def test_next_report_says_what_changed(report, tmp_path):
    store, first = report
    assert first.diff is None and "No previous run" in first.summary
    store.write_json("filter_eval", {**store.read_json("filter_eval", "_summary"), "false_exclusion_rate": 0.4},
                     key="_summary")
    checks = _checks(0.4)
    checks[3]["passed"] = True  # the release gate recovers …
    checks[1]["passed"] = False  # … and hybrid recall newly fails
    cases = store.read_json("generation_eval", "_cases")
    cases[0].update(may_release=False, stage="citation support", failure="citation support", cause="x")
    store.write_json("generation_eval", cases, key="_cases")
    second = build_report(store, inputs=ReportInputs(checks=checks, run_id="report-2", previous=first.figures,
                                                     predicates=FILTERS, answers=ANSWERS))
    d = second.diff
    assert d["run_id"] == "report-1" and d["new_failing_checks"] == ["retrieval_eval:hybrid_recall_at_10"]
    assert d["recovered_checks"] == ["generation_eval:release_gate"]
    assert d["new_failed_cases"] == {"q1": "citation support"}
    fe = next(x for x in d["deltas"] if x["metric"] == "filter false-exclusion rate")
    assert (fe["before"], fe["after"], fe["better"]) == (0.2, 0.4, False)
    assert "1 newly failing checks" in second.html and "Newly failed cases" in second.html
    assert "newly failing checks (retrieval_eval:hybrid_recall_at_10)" in second.summary
    json.dumps(second.figures)  # the stored figures are plain JSON


def test_summary_markdown_for_the_ui(report):
    _, r = report
    s = r.summary
    assert s.startswith("**Release blocked")
    assert "| filter_eval:false_exclusion_rate | FAIL | 0.200 | ≤ 0.000 | 5 judged queries with a filter |" in s
    assert "**First failed stage** (5 cases): candidate retrieval 2 · no answer 1 · points missing 1 · pass 1" in s
    assert "**Worst queries**" in s and "gold excluded by filter `locale=de-DE`" in s
    assert "Report: `" in s and "file://" not in s


def test_a_store_with_nothing_yet_says_so(tmp_path):
    r = build_report(Outputs(str(tmp_path / "empty")))
    assert set(r.missing) == {"Parse", "Clean", "Dedup", "Chunk", "Embed and index", "Retrieval", "Filters", "Generation"}
    assert "has not been materialized" in r.html and "id='verdict'" in r.html


# --- headless Chromium ---------------------------------------------------------------------------
LAYOUT_JS = """<script>window.addEventListener('load',function(){var o={},v=document.getElementById('verdict'),
r=v.getBoundingClientRect();o.verdict=[r.top+scrollY,r.bottom+scrollY];o.sections=[].map.call(
document.querySelectorAll('section[id^=stage-]'),function(s){return [s.id,s.getBoundingClientRect().top+scrollY];});
var p=document.createElement('pre');p.id='layout-probe';p.textContent=JSON.stringify(o);document.body.appendChild(p);});
</script>"""


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def first_screen(html_path: str | Path, tmp: Path, shot: Path | None = None) -> dict:
    """Render the report in headless Chromium at 1200 × 1100 px: a screenshot of the first screen
    and the laid-out positions (px from the top) of the verdict block and of every stage section,
    read from the DOM Chromium dumps after load. Returns {"verdict": [top, bottom], "sections":
    [[id, top], ...], "pixels": the screenshot as an array, "dom": the dumped DOM}."""
    exe = chromium()
    if exe is None:
        pytest.skip("chromium is not installed")
    probe = tmp / "probe.html"
    probe.write_text(Path(html_path).read_text(encoding="utf-8").replace("</body>", LAYOUT_JS + "</body>"),
                     encoding="utf-8")
    flags = [*CHROMIUM_FLAGS, f"--user-data-dir={tmp / 'chromium-profile'}", "--window-size=1200,1100"]
    shot = shot or tmp / "first_screen.png"
    subprocess.run([exe, *flags, f"--screenshot={shot}", f"file://{html_path}"], check=True, capture_output=True,
                   timeout=180)
    dom = subprocess.run([exe, *flags, "--virtual-time-budget=5000", "--dump-dom", f"file://{probe}"], check=True,
                         capture_output=True, text=True, timeout=180).stdout
    layout = json.loads(re.search(r"<pre id=\"layout-probe\">(.*?)</pre>", dom).group(1).replace("&quot;", '"'))
    import matplotlib.image

    return {**layout, "pixels": matplotlib.image.imread(str(shot)), "dom": dom}


def verdict_pixels(pixels: np.ndarray, top: float, bottom: float) -> dict[str, float]:
    """In the screenshot band of the verdict: pixels of its border colour (#b42318 blocked,
    #1a7f37 allowed, #c27c00 warnings) and the spread of the band (0 = blank)."""
    band = pixels[int(top):int(min(bottom, pixels.shape[0])), :, :3]
    border = np.array([[0xb4, 0x23, 0x18], [0x1a, 0x7f, 0x37], [0xc2, 0x7c, 0x00]]) / 255.0
    near = max(int((np.abs(band - c).sum(axis=2) < 0.12).sum()) for c in border) if band.size else 0
    return {"border": near, "std": float(np.std(band)) if band.size else 0.0}


def test_verdict_is_in_the_first_screen_of_headless_chromium(report, tmp_path):
    _, r = report
    path = tmp_path / "report.html"
    path.write_text(r.html, encoding="utf-8")
    screen = first_screen(path, tmp_path)
    top, bottom = screen["verdict"]
    assert screen["pixels"].shape[:2] == (1100, 1200)
    assert 0 < top < bottom <= 1100  # the whole verdict block is on the first screen …
    assert all(bottom <= y for _, y in screen["sections"])  # … and above every stage section
    px = verdict_pixels(screen["pixels"], top, bottom)
    assert px["border"] > 1000 and px["std"] > 0.05  # its red frame and text are drawn there
