"""Generation evaluation, pinned to ../shared/seed_examples/trace_gates.json and faithfulness.json."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

import pytest

from rag_eval_assets.lib.generation import (
    Answer,
    CachedJudge,
    ContentWordJudge,
    EvidenceChunk,
    ExtractiveGenerator,
    GenerationError,
    GoldCase,
    OpenAICompatibleGenerator,
    OpenAICompatibleJudge,
    PhraseJudge,
    Trace,
    Verdict,
    abstention_metrics,
    apply_variant,
    candidate_recall,
    check_admissible,
    citation_coverage,
    citation_support,
    context_precision,
    context_recall,
    evaluate_case,
    faithfulness,
    first_failed_stage,
    judge_claims,
    load_evidence,
    load_gold_cases,
    load_traces,
    parse_answer,
    parse_evidence,
    parse_gold_case,
    parse_trace,
    release_gate,
    slice_pass_rates,
    split_claims,
    supported_point_coverage,
)
from rag_eval_assets.lib.goldens.rows import GoldenSetError

NO_KEY = "RAG_EVAL_TEST_UNSET_KEY"  # tests never send a real API key, even to the local fake
SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seed_examples"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch) -> None:
    """Requests to the local fake endpoint must not go through a configured HTTP proxy."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def _seed(name: str) -> dict[str, Any]:
    path = SEEDS / name
    if not path.is_file():
        pytest.skip(f"seed example {path} is absent (check out ../shared/seed_examples)")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def seed() -> dict[str, Any]:
    return _seed("trace_gates.json")


@pytest.fixture(scope="module")
def faith() -> dict[str, Any]:
    return _seed("faithfulness.json")


@pytest.fixture(scope="module")
def evidence(seed: dict[str, Any]) -> dict[str, EvidenceChunk]:
    return parse_evidence(seed["evidence"])


@pytest.fixture(scope="module")
def gold(seed: dict[str, Any]) -> GoldCase:
    return parse_gold_case(seed["gold"])


@pytest.fixture(scope="module")
def make_trace(seed: dict[str, Any]) -> Callable[[str, str], Trace]:
    """Trace ``variant`` (``production`` = the seed trace) answered with seed answer ``answer``."""

    def make(variant: str = "production", answer: str = "supported-deploy") -> Trace:
        base = parse_trace({**seed["trace"], "answer": {"claims": seed["answers"][answer], "abstained": False}})
        return base if variant == "production" else apply_variant(base, seed["trace_variants"][variant])

    return make


# --- trace_gates.json ---------------------------------------------------------------------------
REASON_HINTS = {
    "restricted_context": "not permitted",
    "blocked_candidate": "not permitted",
    "unknown_candidate": "not in the evidence store",
    "stale_version": "traced version",
    "missing_version_key": "versions lack ['reranker']",
    "wrong_case": "is not the gold case",
    "duplicate_candidate": "first_stage_ids repeats",
}


def test_admissible_map(seed, make_trace, gold, evidence) -> None:
    expected = seed["expected"]["admissible"]
    assert len(expected) == 8
    for variant, admissible in expected.items():
        result = check_admissible(make_trace(variant), gold, evidence)
        assert result.admissible is admissible, (variant, result.reasons)
        if admissible:
            assert result.reasons == []
        else:
            assert any(REASON_HINTS[variant] in r for r in result.reasons), (variant, result.reasons)


def test_every_failing_condition_is_reported(make_trace, gold, evidence) -> None:
    trace = apply_variant(make_trace(), {"case_id": "other", "selected_versions": [],
                                          "reranked_ids": ["payment-service-rollback-runbook"]})
    reasons = check_admissible(trace, gold, evidence).reasons
    assert len(reasons) == 4  # wrong case, length mismatch, reranked set, selected outside reranked
    assert any("reranked set differs" in r for r in reasons)


def test_evidence_path(seed, make_trace, gold) -> None:
    trace = make_trace()
    values = {"candidate_recall": candidate_recall(trace, gold),
              "context_recall": context_recall(trace, gold),
              "context_precision": context_precision(trace, gold)}
    assert values == seed["expected"]["evidence_path"]


def _judged(seed, evidence, answer: str, judge=None):
    trace = parse_trace({**seed["trace"], "answer": {"claims": seed["answers"][answer], "abstained": False}})
    context = {cid: evidence[cid].text for cid in trace.selected_context_ids}
    return trace, judge_claims(trace.answer.claims, context, judge or PhraseJudge())


def test_answer_metrics(seed, evidence, gold) -> None:
    expected = seed["expected"]
    for answer, value in expected["faithfulness"].items():
        score = faithfulness(_judged(seed, evidence, answer)[1])
        assert score.value == value, answer
        assert (score.judge, score.invalid, score.invalid_rate) == (PhraseJudge.name, 0, 0.0)
    for answer, value in expected["citation_coverage"].items():
        assert citation_coverage(_judged(seed, evidence, answer)[0].answer.claims) == value
    for answer, value in expected["citation_support"].items():
        assert citation_support(_judged(seed, evidence, answer)[1]).value == value, answer
    for answer, value in expected["supported_point_coverage"].items():
        score = supported_point_coverage(_judged(seed, evidence, answer)[1], gold.required_points)
        assert score.value == pytest.approx(value), answer
    assert _judged(seed, evidence, "unsafe-bypass")[1].unsupported() == [
        "The deploy can start without a linked rollback plan."]


@pytest.mark.parametrize("row", range(6))
def test_first_failed_stage(seed, make_trace, gold, evidence, row: int) -> None:
    case = seed["expected"]["first_failed_stage"][row]
    result = evaluate_case(make_trace(case["trace"], case["answer"]), gold, evidence, PhraseJudge())
    assert result.stage == case["stage"]
    assert result.may_release is (case["stage"] == "pass")
    assert result.judge == PhraseJudge.name


def test_release_cases(seed, make_trace, gold, evidence) -> None:
    cases = seed["expected"]["release_cases"]
    assert len(cases) == 5
    for case in cases:
        result = evaluate_case(make_trace(case["trace"], case["answer"]), gold, evidence, PhraseJudge())
        assert result.may_release is case["should_release"], case["name"]


def test_slices_and_release_gate(seed) -> None:
    slices = seed["expected"]["slices"]
    outcomes = [tuple(o) for o in slices["outcomes"]]
    overall, by_slice = slice_pass_rates(outcomes)
    assert overall == pytest.approx(slices["expected_overall"])
    assert by_slice == slices["expected_by_slice"]
    decision = release_gate(outcomes, min_slice_pass_rate=0.95)
    assert decision.allowed is slices["expected_release_allowed"]
    assert decision.blocking_slices == ["release-freeze", "schema-migration"]
    assert "release-freeze 0.50" in decision.reason
    assert release_gate([("a", True)] * 19 + [("b", True)]).allowed
    assert not release_gate([("a", True)] * 99 + [("b", False)]).allowed  # overall 0.99, slice b 0.0
    assert not release_gate([]).allowed


def test_inadmissible_trace_is_never_judged(make_trace, gold, evidence) -> None:
    class Exploding:
        name = "exploding"

        def judge(self, claim_text, support_phrases, chunk_text) -> Verdict:
            raise AssertionError("an inadmissible trace must not reach the judge")

    result = evaluate_case(make_trace("restricted_context"), gold, evidence, Exploding())
    assert (result.stage, result.faithfulness, result.candidate_recall) == ("admissibility", None, None)
    assert result.as_row()["admissibility_reasons"]


def test_invalid_verdict_fails_its_stage(make_trace, gold, evidence) -> None:
    class HalfBroken:
        name = "half_broken"

        def judge(self, claim_text, support_phrases, chunk_text) -> Verdict:
            ok = "approval" not in claim_text
            return Verdict(True if ok else None, self.name, "yes" if ok else "???")

    result = evaluate_case(make_trace(), gold, evidence, HalfBroken())
    assert result.faithfulness.value == 1.0 and result.faithfulness.invalid == 1
    assert result.faithfulness.invalid_rate == pytest.approx(1 / 3)
    assert result.stage == "answer faithfulness" and not result.may_release


def test_out_of_scope_and_abstention(make_trace, evidence) -> None:
    oos = GoldCase("payment-freeze-deploy-001", "What is the cafeteria menu?", (), (), out_of_scope=True)
    abstain = apply_variant(make_trace(), {"answer": {"claims": [], "abstained": True}})
    assert evaluate_case(abstain, oos, evidence, PhraseJudge()).stage == "pass"
    answered = evaluate_case(make_trace(), oos, evidence, PhraseJudge())
    assert (answered.stage, answered.abstention) == ("abstention", "answered_out_of_scope")
    in_scope = parse_gold_case({"case_id": "payment-freeze-deploy-001", "question": "q",
                                "required_source_ids": ["deploy-freeze-approval-rule"],
                                "required_points": ["approval"]})
    false_abstention = evaluate_case(abstain, in_scope, evidence, PhraseJudge())
    assert (false_abstention.stage, false_abstention.abstention) == ("answer completeness", "false_abstention")
    report = abstention_metrics([(True, True), (True, False), (False, True), (False, False), (False, False)])
    assert (report.abstention_accuracy, report.false_abstention_rate) == (0.5, pytest.approx(1 / 3))
    assert abstention_metrics([(False, False)]).abstention_accuracy is None
    assert first_failed_stage(admissible=False, out_of_scope=True, abstained=True) == "admissibility"


# --- files ----------------------------------------------------------------------------------------
def _write_jsonl(path: Path, rows: Sequence[Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_loaders_round_trip(tmp_path, seed, make_trace, gold, evidence) -> None:
    trace = apply_variant(make_trace(), {"slice": "release-freeze", "question": gold.question})
    traces = load_traces(_write_jsonl(tmp_path / "traces.jsonl", [trace.to_dict()]))
    golds = load_gold_cases(_write_jsonl(tmp_path / "gold.jsonl", [seed["gold"]]))
    store = load_evidence(_write_jsonl(tmp_path / "evidence.jsonl", seed["evidence"]))
    assert traces == [trace] and golds == {gold.case_id: gold} and store == evidence
    result = evaluate_case(traces[0], golds[gold.case_id], store, PhraseJudge())
    assert (result.stage, result.slice) == ("pass", "release-freeze")


@pytest.mark.parametrize("line, message", [
    ("{not json", "bad JSON"),
    ('{"case_id": "x"}', "missing key 'first_stage_ids'"),
    ("WRONG_TYPE", "'first_stage_ids'[1]: expected string"),
    ("BAD_CLAIM", "answer: claims[0]: missing key 'text'"),
])
def test_malformed_trace_file_names_file_and_line(tmp_path, make_trace, line: str, message: str) -> None:
    good = make_trace().to_dict()
    if line == "WRONG_TYPE":
        line = json.dumps({**good, "first_stage_ids": ["a", 3]})
    elif line == "BAD_CLAIM":
        line = json.dumps({**good, "answer": {"claims": [{"claim_id": "c"}], "abstained": False}})
    path = tmp_path / "traces.jsonl"
    path.write_text(json.dumps(good) + "\n\n" + line + "\n", encoding="utf-8")
    with pytest.raises(GoldenSetError) as info:
        load_traces(path)
    assert info.value.line == 3
    assert str(info.value).startswith(f"{path}:3: ") and message in str(info.value)


def test_loader_rejects_duplicates_and_bad_variants(tmp_path, seed, make_trace) -> None:
    with pytest.raises(GoldenSetError, match=r"evidence.jsonl:2: duplicate chunk_id"):
        load_evidence(_write_jsonl(tmp_path / "evidence.jsonl", [seed["evidence"][0]] * 2))
    with pytest.raises(GoldenSetError, match=r"gold.jsonl:1: 'out_of_scope': expected boolean"):
        load_gold_cases(_write_jsonl(tmp_path / "gold.jsonl", [{**seed["gold"], "out_of_scope": "no"}]))
    with pytest.raises(ValueError, match="unknown trace fields"):
        apply_variant(make_trace(), {"first_stage": []})
    with pytest.raises(GoldenSetError, match="abstaining answer"):
        parse_answer({"claims": seed["answers"]["supported-deploy"], "abstained": True})


# --- faithfulness.json: claims and lexical judge --------------------------------------------------
def _faith_judged(faith: dict[str, Any], judge) -> Any:
    claims = parse_answer({"claims": [{"claim_id": f"c{i}", "text": t, "citation_id": "ctx"}
                                      for i, t in enumerate(split_claims(faith["answer"]))],
                           "abstained": False}).claims
    return judge_claims(claims, {"ctx": faith["context"]}, judge)


def test_split_claims(faith) -> None:
    assert split_claims(faith["answer"]) == faith["expected_claims"]
    assert split_claims("Марс — планета. Ο Άρης έχει δύο δορυφόρους.\nLast line") == [
        "Марс — планета", "Ο Άρης έχει δύο δορυφόρους", "Last line"]


def test_content_word_judge(faith) -> None:
    judge = ContentWordJudge()
    judged = _faith_judged(faith, judge)
    score = faithfulness(judged)
    assert judge.name in faith["expected_by_judge"]
    assert score.value == faith["expected_by_judge"][judge.name] == 0.5
    assert (score.judge, score.n, score.invalid) == (judge.name, 4, 0)
    assert judged.unsupported() == faith["expected_unsupported_by_judge"][judge.name]


def test_phrase_judge_falls_back_to_content_words() -> None:
    judge = PhraseJudge()
    assert judge.judge("x", ["RELEASE freeze"], "during a release freeze").supported is True
    assert judge.judge("x", ["release thaw"], "during a release freeze").supported is False
    assert judge.judge("Mars has moons", [], "Mars has two moons").supported is True
    assert judge.judge("Phobos orbits Mars", [], "Mars has two moons, Phobos").supported is False


# --- model judge against a local fake endpoint ----------------------------------------------------
class FakeChatServer:
    """A stdlib OpenAI-compatible ``/chat/completions`` endpoint with canned replies."""

    def __init__(self, reply: Callable[[dict[str, Any]], tuple[int, str]]) -> None:
        self.reply, self.requests, self.auth = reply, 0, []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                server.requests += 1
                server.auth.append(self.headers.get("Authorization"))
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status, content = server.reply(body) if self.path == "/v1/chat/completions" else (404, "")
                payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]})
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(payload.encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def entailment_reply(verdicts: dict[str, str]) -> Callable[[dict[str, Any]], tuple[int, str]]:
    """Answer each judge request with the canned content for its claim."""

    def reply(body: dict[str, Any]) -> tuple[int, str]:
        claim = body["messages"][-1]["content"].split("CLAIM:\n", 1)[1]
        return 200, verdicts[claim]

    return reply


ENTAILMENT = {
    "Mars has two moons": '{"supported": true}',
    "Phobos and Deimos orbit Mars": '```json\n{"supported": true}\n```',
    "Mars has a thick atmosphere": '{"supported": false}',
    "Curiosity landed in 2012": '{"supported": true}',
}


def test_model_judge_entailment(faith, monkeypatch) -> None:
    monkeypatch.setenv("RAG_EVAL_TEST_JUDGE_KEY", "test-key")
    with FakeChatServer(entailment_reply(ENTAILMENT)) as server:
        judge = OpenAICompatibleJudge(server.base_url, "fake-nli", api_key_env="RAG_EVAL_TEST_JUDGE_KEY",
                                      timeout=5)
        judged = _faith_judged(faith, judge)
    score = faithfulness(judged)
    assert score.value == faith["expected_by_judge"]["entailment"] == 0.75
    assert judged.unsupported() == faith["expected_unsupported_by_judge"]["entailment"]
    assert score.judge == "llm_entailment:fake-nli" != ContentWordJudge.name
    assert server.requests == 4 and server.auth == ["Bearer test-key"] * 4


def test_model_judge_invalid_reply_and_cache(faith, tmp_path) -> None:
    garbled = {**ENTAILMENT, "Curiosity landed in 2012": "Sure! The claim is supported :)"}
    with FakeChatServer(entailment_reply(garbled)) as server:
        judge = CachedJudge(OpenAICompatibleJudge(server.base_url, "fake-nli", NO_KEY, timeout=5), tmp_path)
        first = faithfulness(_faith_judged(faith, judge))
        assert server.requests == 4
        second = faithfulness(_faith_judged(faith, judge))
        assert server.requests == 4  # served from the cache
    assert first == second
    assert (first.n, first.invalid, first.invalid_rate) == (3, 1, 0.25)
    assert first.value == pytest.approx(2 / 3)
    assert first.judge == "llm_entailment:fake-nli" != ContentWordJudge.name
    assert (judge.hits, judge.misses) == (4, 4)


def test_model_judge_http_error_is_invalid_and_not_cached(tmp_path) -> None:
    with FakeChatServer(lambda body: (500, "boom")) as server:
        judge = CachedJudge(OpenAICompatibleJudge(server.base_url, "fake-nli", NO_KEY, timeout=5), tmp_path)
        for _ in range(2):
            verdict = judge.judge("claim", [], "context")
            assert verdict.supported is None and "HTTP 500" in verdict.raw
        assert server.requests == 2
    unreachable = OpenAICompatibleJudge(server.base_url, "fake-nli", NO_KEY, timeout=2)  # server closed
    assert unreachable.judge("claim", [], "context").supported is None


# --- generators -----------------------------------------------------------------------------------
def test_extractive_generator_cites_and_abstains(seed, gold, evidence, make_trace) -> None:
    context = [(c.chunk_id, c.text) for c in evidence.values() if c.permitted]
    generator = ExtractiveGenerator()
    answer = generator.generate(gold.question, context)
    assert not answer.abstained
    assert answer.claims[0].citation_id == "deploy-freeze-approval-rule"
    assert answer.claims[0].text.startswith("Payment-service production deploys during a release freeze")
    assert answer.claims[0].support_phrases == (answer.claims[0].text,)
    result = evaluate_case(apply_variant(make_trace(), {"answer": answer.to_dict()}), gold, evidence,
                           PhraseJudge())
    assert result.faithfulness.value == 1.0 and result.citation_support.value == 1.0
    assert result.stage == "answer completeness"  # extracted claims carry no answer_point
    assert generator.generate("What is the boiling point of water at sea level?", context) == Answer((), True)


def test_extractive_generator_unicode() -> None:
    context = [("ru-1", "Кошки спят днём. Отпуск сотрудника согласует руководитель отдела заранее."),
               ("el-1", "Η άδεια εγκρίνεται από τον προϊστάμενο του τμήματος.")]
    answer = ExtractiveGenerator().generate("Кто согласует отпуск сотрудника?", context)
    assert [c.citation_id for c in answer.claims] == ["ru-1"]
    greek = ExtractiveGenerator().generate("Ποιος εγκρίνει την άδεια του τμήματος;", context)
    assert [c.citation_id for c in greek.claims] == ["el-1"]


def test_model_generator(evidence) -> None:
    reply = {"abstained": False, "claims": [{"claim_id": "c1", "text": "Approval is required.",
                                             "citation_id": "deploy-freeze-approval-rule",
                                             "support_phrases": ["incident commander approval"]}]}
    context = [("deploy-freeze-approval-rule", evidence["deploy-freeze-approval-rule"].text)]
    with FakeChatServer(lambda body: (200, json.dumps(reply))) as server:
        answer = OpenAICompatibleGenerator(server.base_url, "fake-gen", NO_KEY, timeout=5).generate("q?", context)
    assert answer == parse_answer(reply)
    with FakeChatServer(lambda body: (200, "I think yes")) as server, \
            pytest.raises(GenerationError, match="not a JSON object"):
        OpenAICompatibleGenerator(server.base_url, "fake-gen", NO_KEY, timeout=5).generate("q?", context)


def test_a_trace_that_retrieved_nothing_and_abstained_is_admissible_and_fails_at_retrieval():
    from rag_eval_assets.lib.generation.traces import Claim

    versions = tuple((k, "v") for k in ("retriever", "index", "sparse", "dense", "fusion", "reranker"))
    empty = Trace("c1", (), (), (), (), (), versions, Answer((), True))
    in_scope = GoldCase("c1", "q?", ("x",), ("p",))
    assert check_admissible(empty, in_scope, {}).admissible
    assert evaluate_case(empty, in_scope, {}, PhraseJudge()).stage == "candidate retrieval"
    out_of_scope = GoldCase("c1", "q?", (), (), out_of_scope=True)
    assert evaluate_case(empty, out_of_scope, {}, PhraseJudge()).stage == "pass"
    answered = Trace("c1", (), (), (), (), (), versions, Answer((Claim("a", "text"),), False))
    assert not check_admissible(answered, in_scope, {}).admissible


def test_phrase_judge_treats_a_line_break_as_a_space():
    verdict = PhraseJudge().judge("c", ["maintenance for Meridian Access Manager"],
                                  "Planned maintenance for Meridian Access\nManager v2.0 starts at 22:00.")
    assert verdict.supported
    assert not PhraseJudge().judge("c", ["Access Manager v3"], "Access\nManager v2.0").supported


def test_cascade_asks_the_model_only_for_claims_the_lexical_judge_rejects(faith) -> None:
    from rag_eval_assets.lib.generation import CascadeJudge

    with FakeChatServer(entailment_reply(ENTAILMENT)) as server:
        judge = CascadeJudge(ContentWordJudge(), OpenAICompatibleJudge(server.base_url, "fake-nli", NO_KEY, timeout=5))
        judged = _faith_judged(faith, judge)
    assert server.requests == 2  # only the two claims the lexical judge rejects
    score = faithfulness(judged)
    assert score.value == 0.75 and score.judge == "lexical_all_content_words_over_3_letters>llm_entailment:fake-nli"
    by_judge = {c.claim.text: c.verdicts["ctx"].judge for c in judged.claims}  # which judge decided each claim
    assert by_judge["Phobos and Deimos orbit Mars"] == "llm_entailment:fake-nli"
    assert by_judge["Mars has a thick atmosphere"] == "llm_entailment:fake-nli"
    assert by_judge["Mars has two moons"] == by_judge["Curiosity landed in 2012"] == ContentWordJudge.name
