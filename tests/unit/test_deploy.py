"""Structural checks of the deployment files in deploy/: Dockerfile, compose.yaml, k8s/, config/.

Nothing here builds an image or talks to a cluster (no Docker engine, no network): the files
are parsed and held to what the program expects, so a renamed setting, a stray env var or a
StatefulSet whose selector misses its pods fails here instead of in someone's cluster.
"""

import json
import re
import shutil
import subprocess
import types
import typing
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from intentwatch.pipeline.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
COMPOSE = DEPLOY / "compose.yaml"
K8S = DEPLOY / "k8s"
EXAMPLE_CONFIG = DEPLOY / "config" / "intentwatch.yaml"
PREFIX = "INTENTWATCH_"


# -- helpers ------------------------------------------------------------------------------
def _model_in(annotation) -> type[BaseModel] | None:
    """The pydantic model inside an annotation (``X``, ``X | None``), else None."""
    candidates = typing.get_args(annotation) if typing.get_origin(annotation) in (typing.Union, types.UnionType) else (annotation,)
    for a in candidates:
        if isinstance(a, type) and issubclass(a, BaseModel):
            return a
    return None


def _is_mapping(annotation) -> bool:
    candidates = typing.get_args(annotation) if typing.get_origin(annotation) in (typing.Union, types.UnionType) else (annotation,)
    return any(typing.get_origin(a) is dict or a is dict for a in candidates)


def settings_path_problem(env_name: str) -> str | None:
    """Why ``INTENTWATCH_<GROUP>__<FIELD>...`` names no Settings field, or None if it does."""
    if not env_name.startswith(PREFIX):
        return f"{env_name} does not start with {PREFIX}"
    parts = env_name[len(PREFIX):].lower().split("__")
    model: type[BaseModel] = Settings
    for i, part in enumerate(parts):
        fields = model.model_fields
        if part not in fields:
            where = ".".join(parts[:i]) or "Settings"
            return f"{env_name}: {where} has no field {part!r} (fields: {', '.join(sorted(fields))})"
        annotation = fields[part].annotation
        rest = parts[i + 1:]
        if not rest:
            return None
        sub = _model_in(annotation)
        if sub is None:
            if _is_mapping(annotation):  # e.g. INTENTWATCH_KAFKA__EXTRA__CLIENT_ID: a key of a dict field
                return None
            return f"{env_name}: {'.'.join(parts[:i + 1])} is a plain value, it has no sub-field {rest[0]!r}"
        model = sub
    return None


def leaf_paths(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """Every field path of a settings model, descending into nested models."""
    out: set[tuple[str, ...]] = set()
    for name, field in model.model_fields.items():
        sub = _model_in(field.annotation)
        if sub is not None:
            out |= leaf_paths(sub, prefix + (name,))
        else:
            out.add(prefix + (name,))
    return out


def yaml_has(doc, path: tuple[str, ...]) -> bool:
    for key in path:
        if not isinstance(doc, dict) or key not in doc:
            return False
        doc = doc[key]
    return True


@pytest.fixture
def clean_env(monkeypatch):
    """No INTENTWATCH_* variable from the developer's shell may leak into the settings."""
    import os

    for name in list(os.environ):
        if name.upper().startswith(PREFIX):
            monkeypatch.delenv(name)
    return monkeypatch


def load_with_env(config: Path, env: dict[str, str], monkeypatch) -> Settings:
    for name, value in env.items():
        monkeypatch.setenv(name, str(value))
    try:
        return load_settings(config)
    finally:
        for name in env:
            monkeypatch.delenv(name, raising=False)


# -- Dockerfile ----------------------------------------------------------------------------
def dockerfile_instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())  # join continuation lines
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def dockerfile_stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for ins in dockerfile_instructions():
        if ins[0] == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(ins)
    return stages


def exec_form(instr: str, rest: str) -> list[str]:
    try:
        value = json.loads(rest)
    except json.JSONDecodeError:
        pytest.fail(f"deploy/Dockerfile: {instr} must use the exec (JSON array) form, got {rest!r}")
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), f"deploy/Dockerfile: {instr} {rest!r} is not a list of strings"
    return value


def image_uid() -> int:
    final = dockerfile_stages()[-1]
    users = [rest for word, rest in final if word == "USER"]
    assert users, "deploy/Dockerfile: the final stage sets no USER, so the image runs as root"
    user = users[-1].split(":")[0]
    assert user.isdigit(), f"deploy/Dockerfile: USER {users[-1]!r} should be numeric so Kubernetes runAsNonRoot can verify it"
    return int(user)


def test_dockerfile_is_python_311_slim_everywhere():
    froms = [rest.split()[0] for word, rest in dockerfile_instructions() if word == "FROM"]
    assert froms, "deploy/Dockerfile has no FROM"
    for image in froms:
        assert image.startswith("python:3.11-slim"), f"deploy/Dockerfile: FROM {image}: every stage should be python:3.11-slim (requires-python and the wheels match it)"


def test_dockerfile_installs_the_project():
    runs = " ".join(rest for word, rest in dockerfile_instructions() if word == "RUN")
    assert re.search(r"pip install[^&;]*\s\.(\s|$)", runs), "deploy/Dockerfile: no `pip install .` of the project (build context = repo root)"
    copied = " ".join(rest for word, rest in dockerfile_instructions() if word == "COPY")
    for needed in ("pyproject.toml", "README.md", "models", "pipeline"):
        assert needed in copied, f"deploy/Dockerfile: {needed} is not copied into the build, so `pip install .` cannot work (pyproject.toml needs it)"


def test_dockerfile_builds_the_compiled_engine_and_checks_it():
    """Issue 13: without setup.py in the build, `pip install .` installed the plain-Python engine
    and nothing said so. The build stage copies setup.py, has a C compiler, and fails unless
    `intentwatch --version` reports the compiled engine after the install."""
    build, runtime = dockerfile_stages()[0], dockerfile_stages()[-1]
    copied = " ".join(rest for word, rest in build if word == "COPY")
    assert "setup.py" in copied.split(), "deploy/Dockerfile: setup.py is not copied, so the engine is not compiled"
    runs = [rest for word, rest in build if word == "RUN"]
    install = next(i for i, r in enumerate(runs) if re.search(r"pip install[^&;]*\s\.(\s|$)", r))
    assert any(re.search(r"apt-get install[^&;]*\sgcc\s", r + " ") for r in runs[:install]), \
        "deploy/Dockerfile: no gcc in the build stage before `pip install .` (setup.py refuses without a compiler)"
    assert not any("INTENTWATCH_PURE" in r for word, r in build if word in ("RUN", "ENV", "ARG")), \
        "deploy/Dockerfile: the build asks for the plain-Python engine"
    check = [r for r in runs[install + 1:] if "intentwatch --version" in r]
    assert check and re.search(r'grep -q "\(engine: compiled\)\$?"', check[0]), \
        "deploy/Dockerfile: no build step fails when `intentwatch --version` does not say the engine is compiled"
    assert not any("gcc" in rest for word, rest in runtime if word == "RUN"), "deploy/Dockerfile: gcc belongs in the build stage only"


def test_dockerfile_entrypoint_and_default_command():
    final = dockerfile_stages()[-1]
    entry = [exec_form("ENTRYPOINT", rest) for word, rest in final if word == "ENTRYPOINT"]
    cmd = [exec_form("CMD", rest) for word, rest in final if word == "CMD"]
    assert entry and entry[-1] == ["intentwatch"], f"deploy/Dockerfile: ENTRYPOINT should be [\"intentwatch\"], got {entry}"
    assert cmd and cmd[-1] == ["worker"], f"deploy/Dockerfile: CMD should be [\"worker\"], got {cmd}"


def test_dockerfile_runs_as_non_root():
    assert image_uid() != 0, "deploy/Dockerfile: USER is root (uid 0)"


# -- compose.yaml --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def compose() -> dict:
    docs = list(yaml.safe_load_all(COMPOSE.read_text()))
    assert len(docs) == 1 and isinstance(docs[0], dict), "deploy/compose.yaml should be one YAML mapping"
    assert "services" in docs[0], "deploy/compose.yaml has no services"
    return docs[0]


def env_dict(service: dict, where: str) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # ["KEY=value", ...]
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    assert isinstance(env, dict), f"{where}: environment should be a mapping or a list"
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def workers(compose: dict) -> dict[str, dict]:
    return {name: s for name, s in compose["services"].items() if name.startswith("worker")}


def test_compose_has_kafka_topics_and_workers(compose):
    services = compose["services"]
    for name in ("kafka", "topics"):
        assert name in services, f"deploy/compose.yaml: no {name!r} service (have {sorted(services)})"
    assert workers(compose), f"deploy/compose.yaml: no worker service (worker, worker-1, ...); have {sorted(services)}"


def test_compose_kafka_is_single_node_kraft(compose):
    kafka = compose["services"]["kafka"]
    assert str(kafka.get("image", "")).startswith("apache/kafka:4."), f"compose kafka: image should be apache/kafka:4.x, got {kafka.get('image')!r}"
    env = env_dict(kafka, "compose kafka")
    expected = {
        "KAFKA_PROCESS_ROLES": "broker,controller",
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "1",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "1",
        "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": "1",
        "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS": "0",
        "KAFKA_AUTO_CREATE_TOPICS_ENABLE": "false",
    }
    for key, value in expected.items():
        got = env.get(key)
        assert got is not None and got.replace(" ", "").lower() == value, f"compose kafka: {key} should be {value!r} on a one-node cluster, got {got!r}"
    for key in ("KAFKA_NODE_ID", "KAFKA_CONTROLLER_QUORUM_VOTERS", "KAFKA_LISTENERS", "KAFKA_ADVERTISED_LISTENERS",
                "KAFKA_CONTROLLER_LISTENER_NAMES", "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "CLUSTER_ID"):
        assert env.get(key), f"compose kafka: {key} is missing (the apache/kafka image needs the full KRaft config once any KAFKA_* is set)"
    assert "localhost:9092" in env["KAFKA_ADVERTISED_LISTENERS"], "compose kafka: no listener advertised as localhost:9092 for the host"
    assert any(str(p).endswith(":9092") or str(p) == "9092" for p in kafka.get("ports", [])), f"compose kafka: port 9092 is not published, ports={kafka.get('ports')}"
    assert kafka.get("healthcheck", {}).get("test"), "compose kafka: no healthcheck, so depends_on service_healthy cannot work"


def test_compose_clients_bootstrap_to_an_advertised_internal_listener(compose):
    advertised = env_dict(compose["services"]["kafka"], "compose kafka")["KAFKA_ADVERTISED_LISTENERS"]
    addresses = {entry.split("://", 1)[1] for entry in advertised.split(",")}
    for name in ["topics", *workers(compose)]:
        env = env_dict(compose["services"][name], f"compose {name}")
        bootstrap = env.get("INTENTWATCH_KAFKA__BOOTSTRAP_SERVERS")
        assert bootstrap, f"compose {name}: INTENTWATCH_KAFKA__BOOTSTRAP_SERVERS is not set (the default 127.0.0.1:9092 is the container itself)"
        for address in bootstrap.split(","):
            assert address in addresses, f"compose {name}: bootstrap {address!r} is not an advertised listener of kafka ({sorted(addresses)})"


def test_compose_env_names_real_settings(compose):
    problems = []
    for name, service in compose["services"].items():
        for key in env_dict(service, f"compose {name}"):
            if key.upper().startswith(PREFIX) and (p := settings_path_problem(key.upper())):
                problems.append(f"compose {name}: {p}")
    assert not problems, "\n".join(problems)


def test_compose_services_run_the_right_commands_in_order(compose):
    services = compose["services"]
    topics = services["topics"]
    assert topics.get("command", [])[:2] == ["topics", "create"], f"compose topics: command should start with topics create, got {topics.get('command')}"
    assert topics.get("depends_on", {}).get("kafka", {}).get("condition") == "service_healthy", "compose topics: should depend on kafka with condition service_healthy"
    for name, w in workers(compose).items():
        assert w.get("command", [None])[0] == "worker", f"compose {name}: command should start with worker, got {w.get('command')}"
        condition = w.get("depends_on", {}).get("topics", {}).get("condition")
        assert condition == "service_completed_successfully", f"compose {name}: should depend on topics with condition service_completed_successfully, got {condition!r}"
    for name in ["topics", *workers(compose)]:
        build = services[name].get("build") or {}
        assert build.get("dockerfile") == "deploy/Dockerfile" and build.get("context") == "..", \
            f"compose {name}: build should be context .. (repo root) with dockerfile deploy/Dockerfile, got {build}"


def test_compose_config_file_is_mounted_and_used(compose, clean_env, tmp_path):
    for name in ["topics", *workers(compose)]:
        service = compose["services"][name]
        command = service.get("command", [])
        assert "--config" in command, f"compose {name}: no --config in {command}"
        target = command[command.index("--config") + 1]
        mounts = {}
        for v in service.get("volumes", []):
            source, dest = str(v).split(":")[:2]
            mounts[dest] = source
        assert target in mounts, f"compose {name}: --config {target} is not a mounted file (mounts: {mounts})"
        source = (COMPOSE.parent / mounts[target]).resolve()
        assert source == EXAMPLE_CONFIG.resolve(), f"compose {name}: {target} should come from deploy/config/intentwatch.yaml, not {source}"
        # The file plus the service's environment must make valid settings.
        env = {k: v for k, v in env_dict(service, f"compose {name}").items() if k.upper().startswith(PREFIX)}
        load_with_env(source, env, clean_env)


def test_compose_worker_instances_are_distinct(compose, clean_env):
    instances = {}
    for name, w in workers(compose).items():
        env = {k: v for k, v in env_dict(w, f"compose {name}").items() if k.upper().startswith(PREFIX)}
        instances[name] = load_with_env(EXAMPLE_CONFIG, env, clean_env).worker.instance
    if len(instances) > 1:
        assert len(set(instances.values())) == len(instances), \
            f"compose: workers share a worker.instance, so their transactional producers fence each other: {instances}"
    for name, w in workers(compose).items():
        assert "deploy" not in w or w["deploy"].get("replicas", 1) == 1, \
            f"compose {name}: deploy.replicas > 1 would give every replica the same INTENTWATCH_WORKER__INSTANCE"


# -- k8s/ ----------------------------------------------------------------------------------
def k8s_files() -> list[Path]:
    return sorted(p for p in K8S.glob("*.y*ml") if p.name != "kustomization.yaml")


@pytest.fixture(scope="module")
def kustomization() -> dict:
    path = K8S / "kustomization.yaml"
    assert path.is_file(), "deploy/k8s/kustomization.yaml is missing"
    return yaml.safe_load(path.read_text())


@pytest.fixture(scope="module")
def k8s_docs() -> list[tuple[str, dict]]:
    docs = []
    for path in k8s_files():
        for doc in yaml.safe_load_all(path.read_text()):
            if doc is not None:
                docs.append((path.name, doc))
    assert docs, "deploy/k8s/ has no manifests"
    return docs


def of_kind(docs, kind: str) -> list[dict]:
    return [d for _, d in docs if d.get("kind") == kind]


def one(docs, kind: str) -> dict:
    found = of_kind(docs, kind)
    assert len(found) == 1, f"deploy/k8s: expected one {kind}, found {len(found)}"
    return found[0]


def pod_specs(docs) -> list[tuple[str, dict]]:
    out = []
    for _, d in docs:
        if d.get("kind") in ("StatefulSet", "Deployment", "DaemonSet", "Job"):
            out.append((f"{d['kind']}/{d['metadata']['name']}", d["spec"]["template"]["spec"]))
        elif d.get("kind") == "CronJob":
            out.append((f"CronJob/{d['metadata']['name']}", d["spec"]["jobTemplate"]["spec"]["template"]["spec"]))
    return out


def test_k8s_every_doc_has_apiversion_kind_and_name(k8s_docs):
    for filename, doc in k8s_docs:
        assert isinstance(doc, dict), f"deploy/k8s/{filename}: a document is not a mapping"
        for key in ("apiVersion", "kind"):
            assert doc.get(key), f"deploy/k8s/{filename}: a document has no {key}"
        assert (doc.get("metadata") or {}).get("name"), f"deploy/k8s/{filename}: {doc['kind']} has no metadata.name"


def test_k8s_kustomization_lists_every_file(kustomization):
    listed = set(kustomization.get("resources", []))
    on_disk = {p.name for p in k8s_files()}
    assert on_disk - listed == set(), f"deploy/k8s/kustomization.yaml resources miss {sorted(on_disk - listed)}"
    assert listed - on_disk == set(), f"deploy/k8s/kustomization.yaml lists files that do not exist: {sorted(listed - on_disk)}"


def test_k8s_has_the_expected_objects(k8s_docs):
    kinds = {d["kind"] for _, d in k8s_docs}
    for kind in ("Namespace", "ConfigMap", "Secret", "Job", "StatefulSet", "PodDisruptionBudget"):
        assert kind in kinds, f"deploy/k8s: no {kind} (have {sorted(kinds)})"
    assert not of_kind(k8s_docs, "Deployment"), \
        "deploy/k8s: workers must be a StatefulSet, not a Deployment (stable pod names = stable transactional ids)"


def test_k8s_topics_job_creates_topics(k8s_docs):
    job = one(k8s_docs, "Job")
    container = job["spec"]["template"]["spec"]["containers"][0]
    args = [*container.get("command", []), *container.get("args", [])]
    assert args[:2] == ["topics", "create"], f"k8s Job {job['metadata']['name']}: should run `intentwatch topics create`, runs {args}"
    assert job["spec"]["template"]["spec"].get("restartPolicy") in ("OnFailure", "Never"), "k8s Job: restartPolicy must be OnFailure or Never"


def test_k8s_statefulset_selector_service_and_pdb_match(k8s_docs):
    sts = one(k8s_docs, "StatefulSet")
    name = sts["metadata"]["name"]
    selector = sts["spec"]["selector"]["matchLabels"]
    labels = sts["spec"]["template"]["metadata"]["labels"]
    missing = {k: v for k, v in selector.items() if labels.get(k) != v}
    assert selector and not missing, f"k8s StatefulSet {name}: selector {selector} does not match template labels {labels} (mismatch: {missing})"
    services = {s["metadata"]["name"]: s for s in of_kind(k8s_docs, "Service")}
    governing = sts["spec"].get("serviceName")
    assert governing in services, f"k8s StatefulSet {name}: serviceName {governing!r} is not a Service here ({sorted(services)})"
    assert services[governing]["spec"].get("clusterIP") == "None", f"k8s Service {governing}: should be headless (clusterIP: None)"
    pdb = one(k8s_docs, "PodDisruptionBudget")
    pdb_selector = pdb["spec"]["selector"]["matchLabels"]
    assert all(labels.get(k) == v for k, v in pdb_selector.items()), f"k8s PodDisruptionBudget: selector {pdb_selector} does not select the workers {labels}"


def test_k8s_worker_instance_is_the_pod_name(k8s_docs):
    sts = one(k8s_docs, "StatefulSet")
    (container,) = [c for c in sts["spec"]["template"]["spec"]["containers"] if "worker" in [*c.get("command", []), *c.get("args", [])]]
    env = {e["name"]: e for e in container.get("env", [])}
    instance = env.get("INTENTWATCH_WORKER__INSTANCE")
    assert instance, "k8s StatefulSet: INTENTWATCH_WORKER__INSTANCE is not set, so every replica would share worker-0's transactional id"
    field = instance.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath")
    assert field == "metadata.name", f"k8s StatefulSet: INTENTWATCH_WORKER__INSTANCE should come from fieldRef metadata.name, got {instance}"


def test_k8s_containers_have_resources_and_run_as_non_root(k8s_docs):
    uid = image_uid()
    for where, spec in pod_specs(k8s_docs):
        pod_sc = spec.get("securityContext") or {}
        for c in [*spec.get("initContainers", []), *spec["containers"]]:
            label = f"k8s {where} container {c['name']}"
            res = c.get("resources") or {}
            for part in ("requests", "limits"):
                for what in ("cpu", "memory"):
                    assert (res.get(part) or {}).get(what), f"{label}: no resources.{part}.{what}"
            sc = {**pod_sc, **(c.get("securityContext") or {})}
            assert sc.get("runAsNonRoot") is True, f"{label}: runAsNonRoot is not true"
            assert sc.get("runAsUser", uid) != 0, f"{label}: runAsUser is 0"
            if "runAsUser" in sc:
                assert sc["runAsUser"] == uid, f"{label}: runAsUser {sc['runAsUser']} is not the image's USER {uid} (deploy/Dockerfile)"
            assert sc.get("allowPrivilegeEscalation") is False, f"{label}: allowPrivilegeEscalation should be false"


def test_k8s_env_names_real_settings(k8s_docs):
    problems = []
    for where, spec in pod_specs(k8s_docs):
        for c in [*spec.get("initContainers", []), *spec["containers"]]:
            for e in c.get("env", []):
                if e["name"].upper().startswith(PREFIX) and (p := settings_path_problem(e["name"].upper())):
                    problems.append(f"k8s {where} container {c['name']}: {p}")
    assert not problems, "\n".join(problems)


def test_k8s_secret_refs_exist(k8s_docs):
    secrets = {s["metadata"]["name"]: {**(s.get("stringData") or {}), **(s.get("data") or {})} for s in of_kind(k8s_docs, "Secret")}
    for where, spec in pod_specs(k8s_docs):
        for c in spec["containers"]:
            for e in c.get("env", []):
                ref = e.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["name"] in secrets, f"k8s {where}: {e['name']} refers to Secret {ref['name']!r}, not defined here ({sorted(secrets)})"
                    assert ref["key"] in secrets[ref["name"]], f"k8s {where}: {e['name']} refers to key {ref['key']!r} missing from Secret {ref['name']}"
    names = {e["name"] for _, spec in pod_specs(k8s_docs) for c in spec["containers"] for e in c.get("env", [])}
    assert "INTENTWATCH_KAFKA__SASL_PASSWORD" in names, "k8s: the SASL password is not wired in via INTENTWATCH_KAFKA__SASL_PASSWORD"


def test_k8s_config_mounts_match_configmap(k8s_docs):
    configmaps = {c["metadata"]["name"]: c for c in of_kind(k8s_docs, "ConfigMap")}
    for where, spec in pod_specs(k8s_docs):
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        for c in spec["containers"]:
            args = [*c.get("command", []), *c.get("args", [])]
            assert "--config" in args, f"k8s {where}: no --config in {args}"
            target = Path(args[args.index("--config") + 1])
            mounts = [m for m in c.get("volumeMounts", []) if m["mountPath"] == str(target.parent)]
            assert mounts, f"k8s {where}: --config {target} but nothing is mounted at {target.parent}"
            volume = volumes.get(mounts[0]["name"], {})
            cm = volume.get("configMap", {}).get("name")
            assert cm in configmaps, f"k8s {where}: {target.parent} is not a ConfigMap defined here (volume {volume})"
            assert target.name in configmaps[cm].get("data", {}), f"k8s {where}: ConfigMap {cm} has no key {target.name}"


def test_k8s_configmap_config_loads_with_the_pod_env(k8s_docs, clean_env, tmp_path):
    secrets = {s["metadata"]["name"]: s.get("stringData") or {} for s in of_kind(k8s_docs, "Secret")}
    sts = one(k8s_docs, "StatefulSet")
    cm = one(k8s_docs, "ConfigMap")
    for key, text in cm["data"].items():
        if not key.endswith((".yaml", ".yml")):
            continue
        path = tmp_path / key
        path.write_text(text)
        load_settings(path)  # the file alone
        for where, spec in pod_specs(k8s_docs):
            pod_name = f"{sts['metadata']['name']}-0"
            for c in spec["containers"]:
                env = {}
                for e in c.get("env", []):
                    if not e["name"].upper().startswith(PREFIX):
                        continue
                    source = e.get("valueFrom", {})
                    if "value" in e:
                        env[e["name"]] = e["value"]
                    elif source.get("fieldRef", {}).get("fieldPath") == "metadata.name":
                        env[e["name"]] = pod_name
                    elif "secretKeyRef" in source:
                        env[e["name"]] = secrets[source["secretKeyRef"]["name"]][source["secretKeyRef"]["key"]]
                s = load_with_env(path, env, clean_env)
                if where.startswith("StatefulSet/"):
                    assert s.worker.instance == pod_name, f"k8s {where}: worker.instance is {s.worker.instance!r}, not the pod name"
                    replicas = sts["spec"].get("replicas", 1)
                    assert replicas <= s.topics.partitions, \
                        f"k8s StatefulSet: {replicas} replicas but {s.topics.partitions} partitions: the extra workers would sit idle"
                if "INTENTWATCH_KAFKA__SASL_PASSWORD" in env:
                    assert s.kafka.sasl_password is not None and s.kafka.sasl_mechanism, f"k8s {where}: SASL password set but no sasl_mechanism in the config"


def test_k8s_kustomize_builds():
    """If kubectl is installed, `kubectl kustomize` (offline) must accept the folder."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl not installed")
    result = subprocess.run([kubectl, "kustomize", str(K8S)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"kubectl kustomize deploy/k8s failed:\n{result.stderr}"
    kinds = {d["kind"] for d in yaml.safe_load_all(result.stdout) if d}
    assert "StatefulSet" in kinds, f"kubectl kustomize output has no StatefulSet: {sorted(kinds)}"


# -- config/intentwatch.yaml -----------------------------------------------------------------
def test_example_config_loads_and_equals_the_defaults(clean_env):
    from_file = load_settings(EXAMPLE_CONFIG)
    defaults = load_settings()
    # load_settings builds a fresh Settings subclass per call, so compare the values, not the objects.
    assert from_file.model_dump() == defaults.model_dump(), \
        f"deploy/config/intentwatch.yaml differs from the defaults in pipeline/settings.py / pipeline/engine/config.py:\n" \
        f"file:     {from_file.model_dump()}\ndefaults: {defaults.model_dump()}"


def test_example_config_lists_every_setting():
    doc = yaml.safe_load(EXAMPLE_CONFIG.read_text())
    missing = sorted(".".join(p) for p in leaf_paths(Settings) if not yaml_has(doc, p))
    assert not missing, f"deploy/config/intentwatch.yaml does not list (and document) these settings: {missing}"
    groups = set(Settings.model_fields)
    assert set(doc) == groups, f"deploy/config/intentwatch.yaml top-level keys {sorted(doc)} != settings groups {sorted(groups)}"


def test_bridge_context_is_bounded():
    """A huge re-read (the retained history at every assignment) is refused with the setting's name."""
    from pydantic import ValidationError

    from intentwatch.pipeline.settings import WorkerSettings
    assert WorkerSettings(bridge_context_messages=100_000).bridge_context_messages == 100_000
    with pytest.raises(ValidationError, match="bridge_context_messages"):
        WorkerSettings(bridge_context_messages=10**9)


def test_settings_path_checker_catches_typos():
    """The env-var checker used above must itself reject wrong names."""
    assert settings_path_problem("INTENTWATCH_KAFKA__BOOTSTRAP_SERVERS") is None
    assert settings_path_problem("INTENTWATCH_ENGINE__RESPONSE__CIRCUIT_BREAKER__MAX_COMMANDS") is None
    assert settings_path_problem("INTENTWATCH_KAFKA__EXTRA__CLIENT_ID") is None
    assert settings_path_problem("INTENTWATCH_KAFKA__BOOTSTRAP") is not None
    assert settings_path_problem("INTENTWATCH_WORKERS__INSTANCE") is not None
    assert settings_path_problem("INTENTWATCH_WORKER__INSTANCE__X") is not None


# -- metrics, probes, ServiceMonitor, Grafana ---------------------------------------------------
GRAFANA = DEPLOY / "grafana" / "intentwatch-dashboard.json"


def worker_container(docs) -> dict:
    sts = one(docs, "StatefulSet")
    (container,) = [c for c in sts["spec"]["template"]["spec"]["containers"] if "worker" in [*c.get("command", []), *c.get("args", [])]]
    return container


def exposed_metric_names() -> set[str]:
    """Every sample name the worker's registry exposes (counters with _total, histograms with _bucket ...)."""
    from intentwatch.pipeline.hosts.metrics import WorkerMetrics

    m = WorkerMetrics()
    m.lag.labels("t", "0").set(0)  # labelled families only show samples once a child exists
    return {s.name for fam in m.registry.collect() for s in fam.samples} | {
        f"{fam.name}{suffix}" for fam in m.registry.collect() for suffix in ("", "_total", "_bucket", "_count", "_sum")
        if fam.type in ("counter", "histogram")}


def test_k8s_probes_ask_the_workers_http_endpoints(k8s_docs, clean_env, tmp_path):
    c = worker_container(k8s_docs)
    ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
    cm = one(k8s_docs, "ConfigMap")
    (tmp_path / "c.yaml").write_text(cm["data"]["intentwatch.yaml"])
    configured = load_settings(tmp_path / "c.yaml").worker.metrics_port
    assert ports.get("metrics") == configured, f"k8s worker: containerPort 'metrics' {ports.get('metrics')} != worker.metrics_port {configured}"
    paths = {"startupProbe": "/healthz", "livenessProbe": "/healthz", "readinessProbe": "/readyz"}
    for probe, path in paths.items():
        got = (c.get(probe) or {}).get("httpGet")
        assert got == {"path": path, "port": "metrics"}, f"k8s worker: {probe} should GET {path} on the metrics port, has {c.get(probe)}"
    assert "exec" not in c["livenessProbe"], "k8s worker: the file-age probe restarted workers that hold no partitions"


def test_k8s_service_monitor_scrapes_the_workers_metrics_port(k8s_docs):
    sm = one(k8s_docs, "ServiceMonitor")
    (endpoint,) = sm["spec"]["endpoints"]
    services = [s for s in of_kind(k8s_docs, "Service")
                if all(s["metadata"].get("labels", {}).get(k) == v for k, v in sm["spec"]["selector"]["matchLabels"].items())]
    assert services, f"k8s ServiceMonitor: its selector {sm['spec']['selector']} matches no Service"
    for s in services:
        named = {p["name"]: p for p in s["spec"].get("ports", [])}
        assert endpoint["port"] in named, f"k8s Service {s['metadata']['name']}: no port named {endpoint['port']!r} to scrape"
        assert named[endpoint["port"]]["targetPort"] == "metrics"
    assert endpoint["path"] == "/metrics"


def test_grafana_dashboard_queries_only_metrics_the_worker_exposes():
    dash = json.loads(GRAFANA.read_text())
    exposed = exposed_metric_names()
    exprs = [t["expr"] for panel in dash["panels"] for t in panel["targets"]]
    assert len(exprs) >= 10
    used = {name for e in exprs for name in re.findall(r"\bintentwatch_[a-z_]+", e)}
    assert used - exposed == set(), f"{GRAFANA.name} queries metrics the worker does not expose: {sorted(used - exposed)}"
    families = {n.removesuffix("_total").removesuffix("_bucket") for n in used}
    for needed in ("intentwatch_events", "intentwatch_alerts", "intentwatch_commands", "intentwatch_circuit_breaker_trips",
                   "intentwatch_dead_letters", "intentwatch_alert_latency_seconds", "intentwatch_consumer_lag",
                   "intentwatch_agents", "intentwatch_agents_warm", "intentwatch_checkpoint_duration_seconds",
                   "intentwatch_checkpoint_bytes"):
        assert needed in families, f"{GRAFANA.name}: no panel shows {needed}"
    ids = [p["id"] for p in dash["panels"]]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
