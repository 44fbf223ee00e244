"""What streaming workers share about agent definitions, on the compacted ``intentwatch.definitions`` topic.

One definition's instances run on every worker, and its manifest arrives on one worker's
lifecycle partition. So each worker publishes here, in its checkpoint transaction:

- ``DefinitionLesson`` (key ``definition`` + newline + ``agent_id`` + newline + ``instance``, and
  ``population`` on a line of its own for that part): what one instance taught its definition
  when it ended (``pipeline/engine/definitions.py``): all of it if clean; only the targets it
  reached on its own if flagged (``population``), the rest when a verdict clears it (``clean``);
- ``SharedDefinition`` (key: the definition's id): a ``kind: definition`` manifest it registered.

Every worker reads the whole topic (to its end at start, then as it grows) and folds each
record into its engine, so every worker knows every definition and learns from every clean
instance, and a restarted worker gets its models back.
"""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

from intentwatch.models.action import LATEST
from intentwatch.models.intent import IntentManifest

MAX_TOOLS = 64     # tools in one instance's record
MAX_TARGETS = 256  # hashed target keys in one instance's record
MAX_ACTIONS = 10**9  # one instance's actions: a count past it is forged (and a huge one breaks float arithmetic)

Hash = Annotated[str, Field(pattern=r"^[0-9a-f]{16}$")]  # value_hash: tool, argument, target key (or an offered tool's version)


class DefinitionLesson(BaseModel):
    """What one instance taught its definition: the tools it used, the hashed targets it sent to,
    how many actions it took (a clean instance's, the ``clean`` part), and the hashed targets it
    reached on its own — named by neither its request nor its intent — which every instance
    teaches, flagged or not (the ``population`` part: how often instances meet new targets)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1] = 1
    kind: Literal["definition_lesson"] = "definition_lesson"
    definition: str = Field(min_length=1, max_length=200)
    agent_id: str = Field(min_length=1, max_length=200)
    instance: str = Field(max_length=200, description="The instantiation's event id (the agent's epoch then).")
    ended: float = Field(ge=0, lt=LATEST.timestamp(), allow_inf_nan=False, description="Event time it ended, epoch seconds.")
    tools: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(max_length=MAX_TOOLS)
    values: list[Hash] = Field(max_length=MAX_TARGETS)
    n: int = Field(ge=1, le=MAX_ACTIONS, description="Its actions.")
    free: list[Hash] = Field(default_factory=list, max_length=MAX_TARGETS,
                             description="Targets it reached that neither its request nor its intent named.")
    part: Literal["all", "clean", "population"] = Field(
        default="all", description="all: a clean instance at its end; population: a flagged one at its end (only "
                                   "``free`` and ``n`` count); clean: a flagged one an analyst cleared (all but ``free``).")

    def key(self) -> bytes:
        tail = "\npopulation" if self.part == "population" else ""
        return f"{self.definition}\n{self.agent_id}\n{self.instance}{tail}".encode()


class SharedDefinition(BaseModel):
    """A ``kind: definition`` manifest a worker registered (after its trust check)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1] = 1
    kind: Literal["definition"] = "definition"
    manifest: IntentManifest

    @field_validator("manifest")
    @classmethod
    def _a_definition(cls, m: IntentManifest) -> IntentManifest:
        if m.kind != "definition":
            raise ValueError(f"manifest of {m.agent_id[:80]!r} is kind {m.kind!r}, not a definition")
        return m

    def key(self) -> bytes:
        return self.manifest.agent_id.encode()


DefinitionRecord = DefinitionLesson | SharedDefinition
DEFINITION_RECORD_ADAPTER: TypeAdapter[DefinitionRecord] = TypeAdapter(
    Annotated[DefinitionLesson | SharedDefinition, Field(discriminator="kind")])
