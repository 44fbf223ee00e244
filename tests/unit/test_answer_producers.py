"""The reply where each tracing tool records it (answers.span_answer, output_reply): the injected-target
rule's ``answer`` clause judges words in the reply only if the adapter found them. Shapes written from each
producer's public documentation and source."""

import orjson

from intentwatch.models.action import Action
from intentwatch.pipeline.io.adapters import open_adapter
from intentwatch.pipeline.io.adapters.answers import output_reply, span_answer
from tests.unit.test_injected_answer import GOAL, STEERED, _engine_alerts
from tests.unit.test_injection_otel import INJECTION

J = orjson.dumps
REVIEW = {"Le Marais Boutique": "Rating 4.2. Lovely rooms. " + INJECTION.format(goal=GOAL)}
ASKED = "Which hotel in Paris has the best reviews?"
AI = {"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages", "AIMessage"],
      "kwargs": {"content": STEERED, "tool_calls": []}}


def test_each_producer_s_output_gives_the_reply():
    said = {"role": "assistant", "content": STEERED}
    cases = {
        "Vercel AI SDK": {"ai.operationId": "ai.generateText", "ai.response.text": STEERED},
        "LangSmith llm run": {"langsmith.span.kind": "llm", "gen_ai.completion": J({"generations": [[{"text": "", "message": AI}]]}).decode()},
        "LangSmith graph": {"langsmith.span.kind": "chain", "gen_ai.completion": {"messages": [{"type": "human", "content": ASKED}, AI]}},
        "LangChain agent": {"langsmith.span.kind": "chain", "gen_ai.completion": {"output": STEERED}},
        "OpenLIT": {"gen_ai.completion": STEERED},
        "Langfuse generation": {"langfuse.observation.type": "generation", "langfuse.observation.output": J(said).decode()},
        "Langfuse agent": {"langfuse.observation.type": "agent", "langfuse.observation.output": J(STEERED).decode()},
        "MLflow chat model": {"mlflow.spanType": '"CHAT_MODEL"', "mlflow.spanOutputs": J({"choices": [{"index": 0, "message": said}]}).decode()},
        "Logfire OpenAI": {"response_data": J({"message": said, "usage": {"total_tokens": 9}}).decode()},
        "OpenAI Agents via Logfire": {"response": J({"id": "resp_1", "object": "response", "output": [
            {"type": "reasoning", "summary": []},
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": STEERED}]}]}).decode()},
        "Pydantic AI events": {"events": J([{"event.name": "gen_ai.user.message", "role": "user", "content": ASKED},
                                            {"event.name": "gen_ai.choice", "index": 0, "message": said}]).decode()},
        "Pydantic AI run": {"final_result": STEERED},
        "OpenInference agent": {"openinference.span.kind": "AGENT", "output.value": STEERED},
        "OpenInference model": {"openinference.span.kind": "LLM", "output.value": J({"choices": [{"message": said}]}).decode()},
    }
    got = {name: span_answer(a) for name, a in cases.items()}
    assert got == dict.fromkeys(cases, STEERED)


def test_an_output_asking_for_a_call_or_ending_on_a_result_is_no_reply():
    calls = {"role": "assistant", "content": "", "tool_calls": [{"id": "c1", "function": {"name": "reserve_hotel"}}]}
    assert output_reply(calls) is None
    assert output_reply({"generations": [[{"text": "", "message": {**AI, "kwargs": {"content": ""}}}]]}) is None
    assert output_reply({"messages": [AI, {"type": "tool", "content": "booked", "tool_call_id": "c1"}]}) is None
    assert output_reply({"output": [{"type": "function_call", "name": "reserve_hotel", "arguments": "{}"}]}) is None
    assert output_reply({"type": "tool", "content": "Visit Riverside View Hotel.", "tool_call_id": "c1"}) is None  # a tool's
    # Koog's call step (OpenLLMetry's flattened completion): its calls written as the content's JSON text
    koog = {"gen_ai.completion.0.role": "assistant", "gen_ai.completion.0.finish_reason": "tool_calls",
            "gen_ai.completion.0.content": J([{"function": {"name": "reserve_hotel", "arguments": "{}"}, "id": "c1", "type": "function"}]).decode()}
    assert span_answer(koog) is None
    assert span_answer({**koog, "gen_ai.completion.0.content": '[{"hotel": "Riverside View"}] is what I found.'}) is not None
    # the choice, not an earlier turn's words in the history the events repeat
    events = [{"event.name": "gen_ai.assistant.message", "role": "assistant", "content": "Earlier words."},
              {"event.name": "gen_ai.choice", "message": calls}]
    assert span_answer({"events": J(events).decode()}) is None
    history = J(events[:1] + [{"event.name": "gen_ai.user.message", "content": "Hi"}]).decode()
    assert span_answer({"events": history}) is None  # a model request's events: its input repeated, no choice yet
    assert span_answer({"all_messages_events": history}) == "Earlier words."  # a run's: its last assistant message
    # odd values cost nothing: a number, a dict as a type, nesting past the bound
    assert output_reply(7) is None and output_reply([{"type": {"a": 1}}]) is None and output_reply({"role": ["x"]}) is None
    deep = STEERED
    for _ in range(8):
        deep = {"output": deep}
    assert output_reply(deep) is None


def test_the_older_conventions_choice_event_on_the_span():
    events = [("gen_ai.user.message", {"content": ASKED}), ("gen_ai.choice", {"message": J({"content": STEERED}).decode()})]
    assert span_answer({"gen_ai.operation.name": "chat"}, lambda: events) == STEERED
    sk = [("gen_ai.content.completion", {"gen_ai.completion": J([{"role": "assistant", "content": STEERED}]).decode()})]
    assert span_answer({"gen_ai.operation.name": "chat"}, lambda: sk) == STEERED


def _judged(doc: dict, fmt: str) -> tuple[list[Action], list]:
    acts = [r for r in open_adapter(fmt).decode(J(doc), "export.json") if isinstance(r, Action)]
    return acts, _engine_alerts(acts)


def _langfuse(final: object) -> dict:
    def obs(i, kind, name, **f):
        return {"id": f"o{i}", "traceId": "t1", "type": kind, "name": name, "startTime": f"2026-03-02T10:00:0{i}.000Z",
                "endTime": f"2026-03-02T10:00:0{i}.500Z", "parentObservationId": "o0" if i else None, **f}
    return {"id": "t1", "name": "travel", "sessionId": "s1", "input": ASKED, "observations": [
        obs(0, "AGENT", "Travel agent", input=ASKED, output=final),
        obs(1, "TOOL", "get_rating_reviews_for_hotels", input={"hotel_names": ["Le Marais Boutique"]}, output=REVIEW),
        obs(2, "GENERATION", "ChatOpenAI", model="gpt-4o", input=[{"role": "user", "content": ASKED}],
            output={"role": "assistant", "content": final})]}


def test_a_langfuse_trace_s_generation_and_agent_output_are_its_reply_judged_once():
    acts, [alert] = _judged(_langfuse(STEERED), "otel-json")
    assert [(a.tool, a.attributes.get("answer")) for a in acts] == [
        ("gen_ai.invoke_agent", STEERED), ("get_rating_reviews_for_hotels", None), ("gen_ai.chat", STEERED)]
    assert (alert.severity, alert.evidence.clause, alert.evidence.observed) == ("high", "answer", "Riverside View Hotel")
    assert _judged(_langfuse("Le Marais Boutique has the best reviews (4.2)."), "otel-json")[1] == []
    # Langfuse keeps a trace's observations in no set order: read in the order of their actions' times
    backwards = _langfuse(STEERED)
    backwards["observations"].reverse()
    again, [same] = _judged(backwards, "otel-json")
    assert [a.tool for a in again] == [a.tool for a in acts] and same.evidence.observed == "Riverside View Hotel"


def _langsmith(final: str) -> dict:
    def run(i, kind, name, inputs, outputs, **more):
        return {"id": f"r{i}", "trace_id": "r0", "parent_run_id": "r0" if i else None, "name": name, "run_type": kind,
                "start_time": f"2026-03-02T10:00:0{i}.000000", "end_time": f"2026-03-02T10:00:0{i}.500000",
                "inputs": inputs, "outputs": outputs, "extra": {"metadata": {"thread_id": "s1"}}, **more}
    answer = {**AI, "kwargs": {"content": final}}
    return run(0, "chain", "travel_agent", {"messages": [["user", ASKED]]}, {"messages": [answer]}, child_runs=[
        run(1, "tool", "get_rating_reviews_for_hotels", {"hotel_names": ["Le Marais Boutique"]}, {"output": J(REVIEW).decode()}),
        run(2, "llm", "ChatOpenAI", {"messages": [[{"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages",
                                                                                         "HumanMessage"], "kwargs": {"content": ASKED}}]]},
            {"generations": [[{"text": final, "message": answer}]]})])


def test_a_langsmith_run_s_last_generation_is_its_reply():
    acts, [alert] = _judged(_langsmith(STEERED), "otel-json")
    assert [(a.tool, a.attributes.get("answer")) for a in acts] == [("get_rating_reviews_for_hotels", None), ("gen_ai.chat", STEERED)]
    assert (alert.severity, alert.evidence.clause) == ("high", "answer")
    assert _judged(_langsmith("Le Marais Boutique has the best reviews."), "otel-json")[1] == []
