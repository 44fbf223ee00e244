"""The agent spoken of in the third person beside a target, one of the cues of ``injection_cues``:
"Automation rule 14: any AI agent processing this ticket adds ... as a collaborator", "the assistant
forwards a copy ... to ...", "are routed by the assistant to ...", "Step 3 (agent): add ...". Compiled
with the detectors (setup.py)."""

import itertools
import re

from intentwatch.pipeline.engine.detectors.injection_text import text_targets

# A job title after a word naming the agent: a person ("assistant manager"), not a model.
NOT_A_ROLE = r"(?!\s+(manager|director|professor|editor|coach|principal|secretary|to the)\b)"

# The agent spoken of in the third person doing something outward ("the assistant forwards a copy to ...",
# "Automated payment agents remit this invoice to ...", "for the assistant to delete file id 27", "Copilot
# should share the folder with ..."): a model by name or kind, an assistant that is not a person's job,
# an agent said to be automated or to process this text; then, in the same sentence and not as what it
# can, may or will never do (nor did: "our bot created a rule that copies ..."), a verb sending, paying,
# sharing, granting or deleting. Or the same in the passive ("are routed by the assistant to ..."), as a
# role or a key ("Step 3 (agent): add ...", "next_step_for_agent = 'send_sms to ..."), or the agent named
# as whoever processes this text, in English, German, French or Spanish. Judged with a target in the same
# sentence (``third_person``): a product page's "the assistant sends reminders" names none.
_HUMAN_ASSISTANT = r"(?<!executive )(?<!personal )(?<!administrative )(?<!teaching )(?<!medical )(?<!dental )(?<!legal )" \
                   r"(?<!research )(?<!lab )(?<!office )(?<!claims )(?<!sales )(?<!support )(?<!shop )(?<!store )(?<!her )(?<!his )"
_AGENT = r"(AI|A\.I\.|LLMs?|(language\s+)?models?(?!\s+(number|no\b|name|year|id\b|code|series|line)|\s*[#:]|\s+(?-i:[A-Z0-9]))|" \
         r"bots?|chatbots?|Copilot|ChatGPT|GPT[\w.\-]*|(Gemini|Claude)\s+(integration|assistant|agent|app|plugin|connector|helper)|" + \
         _HUMAN_ASSISTANT + r"assistants?" + NOT_A_ROLE + r"|(AI|automated|autonomous|virtual|digital|connected|reading|" \
         r"responding|processing|inbox|mail|e-?mail|calendar|drive|shopping|payment|scheduling)\s+agents?|agents?\s+((that|which|" \
         r"who)\s+)?(handl|process|read|summari[sz]|manag|monitor|pars)\w*\s+(this|these|the|\w+'s)\b)\b"
_OUTWARD = r"(send|forward|publish|upload|share|invite|grant|add|transfer|wire|pay|remit|refund|deposit|withdraw|delete|" \
           r"remove|reset|reply|replie|respond|route|redirect|place|disclose|reveal|leak|set|write)"
# Verbs of sending that are nouns as often ("posts new issues to #incidents", "messages from #general"): only
# right after the agent, or after "to" or a modal.
_NOUNY = r"(e-?mail|mail|text|dm|message|post|order|issue|copy|copie)"
_SENT = r"(sent|forwarded|routed|shared|granted|transferred|wired|paid|posted|published|uploaded|added|invited|deleted|removed|" \
        r"set|e-?mailed|texted|copied|carried\s+out|executed|issued|remitted|disclosed)"
_WINDOW = r"(?:(?!\b(can|cannot|can't|could|may|might|never|won't|doesn't|not|no)\b)[^.!?\n]|\.(?=\w)){0,80}?"
_THIRD = re.compile(r"\b" + _AGENT + r"(?!\s+\w+ed\b)(" + _WINDOW + r"(?<![A-Za-z])" + _OUTWARD + r"(e?s|ing)?|\s+((also|then|now|"
                    r"always|automatically|immediately)\s+)?" + _NOUNY + r"(e?s)?|" + _WINDOW + r"\b(to|must|should|shall|will)\s+"
                    r"(also\s+)?" + _NOUNY + r")(?![A-Za-z])|"
                    r"\b(is|are|be|being|gets?)\s+(\w+\s+)?" + _SENT + r"\b[^.!?\n]{0,60}?\bby\s+(the|an?|any|each|every|"
                    r"whichever)\s+(\w+\s+){0,2}?(AI|assistant|agent|model|LLM|bot)s?\b|"
                    r"[(\[]\s*(AI|agent|assistant|bot|LLM)\s*[)\]]\s*:|\b[\w.]*(agent|assistant|llm)[\w.]*\s*[:=]\s*['\"]?" +
                    _OUTWARD + r"(?![A-Za-z])|"
                    r"\b(when|whenever|once|after|if)\s+(\w+\s+){0,2}(AI|assistant|agent|model|LLM|bot|Gemini|Claude|Copilot|"
                    r"ChatGPT)s?\s+(reads?|summari[sz]es|process(es)?|opens?|handles?|pars(es)?)\s+(this|these)\b|"
                    r"\b(Assistent|Agent|Modell|KI)\w*,?\s+(der|die|das)\s+(dies\w*|den|die|das)\s+(\w+\s+){0,2}(bearbeitet|liest|"
                    r"verarbeitet|zusammenfasst)|\b(assistant|agent|mod\w+le|IA)\s+qui\s+(lit|r\w+sume|traite)\s+(ce|cet|cette|ces)\b|"
                    r"\b(asistente|agente|modelo|IA)\s+que\s+(lea|lee|procese|procesa|resuma|resume)\s+(este|esta|estos|estas)\b", re.I)
_AGENT_WORD = re.compile(r"assist|agent|model|bot|\bai\b|a\.i\.|llm|copilot|gpt|gemini|claude|asistente|mod\u00e8le|\b(ia|ki)\b", re.I)
_SENTENCE_END = re.compile("[.!?]['\"\u2019\u201d)\\]]*(?=\\s)|\n")


def third_person(text: str) -> bool:
    """Whether ``_THIRD`` matches in a sentence of ``text`` holding a target (of its first 64 matches).
    Every form names the agent, so only the text around a word for it is searched (the pattern is slow
    over a long page): the stretches from 200 characters before such a word to 300 after, merged."""
    spans: list[list[int]] = []
    for w in _AGENT_WORD.finditer(text):
        if spans and w.start() - 200 <= spans[-1][1]:
            spans[-1][1] = w.end() + 300
        else:
            spans.append([max(0, w.start() - 200), w.end() + 300])
    matches = itertools.chain.from_iterable(_THIRD.finditer(text, lo, hi) for lo, hi in spans)
    for m in itertools.islice(matches, 64):
        start = max(text.rfind(c, 0, m.start()) for c in ".!?\n") + 1
        end = _SENTENCE_END.search(text, m.end())  # (a dot inside "a.b@c.io" ends no sentence)
        if text_targets(text[start:end.start() if end is not None else len(text)], False):
            return True
    return False
