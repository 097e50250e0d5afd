"""Templates are untrusted code: they render in a sandbox and reach nothing but the context.

Regression (issue 10, item 1): `jinja_environment()` was a plain Jinja environment, so a
workspace template holding ``{{ cycler.__init__.__globals__.os.popen('id').read() }}``
ran the command on `mou export` (signature-ready or draft) and on `mou templates check`,
which then reported no problem.
"""

from __future__ import annotations

import socket
import zipfile
from pathlib import Path

import pytest

from mou.document.template import CHECKED_FOLDER, checked_before, jinja_environment
from mou.validate import load_file
from tests.support.runner import run_mou, snapshot
from tests.support.workspaces import workspace_with_sample

READY = "sample-every-section"


def payloads(marker: Path) -> dict[str, str]:
    """The issue's two payloads: one runs a command, one reads a file into the document."""
    return {
        "popen": f"{{{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}}}",
        "open": "{{ self.__init__.__globals__.__builtins__.open('/etc/hostname').read() }}",
    }


def hostname() -> str:
    try:
        return Path("/etc/hostname").read_text().strip() or socket.gethostname()
    except OSError:
        return socket.gethostname()


def with_tag(template: Path, tag: str, part: str = "word/document.xml") -> None:
    """Put ``tag`` where the template says ``{{ doc.title }}`` (or into ``part``'s title)."""
    with zipfile.ZipFile(template) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    old = b"{{ doc.title }}" if part == "word/document.xml" else b"</dc:title>"
    new = tag.encode() if part == "word/document.xml" else tag.encode() + old
    if part != "word/document.xml":
        parts[part] = parts[part].replace(b"<dc:title/>", b"<dc:title></dc:title>")
    assert old in parts[part]
    parts[part] = parts[part].replace(old, new, 1)
    with zipfile.ZipFile(template, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A workspace with one agreement ready for signature, committed."""
    return workspace_with_sample(tmp_path)


@pytest.mark.parametrize("payload", ["popen", "open"])
def test_a_payload_template_neither_runs_nor_leaks(workspace: Path, payload: str) -> None:
    marker = workspace.parent / "MARKER"
    tag = payloads(marker)[payload]
    template = workspace / "templates" / "mou.docx"
    with_tag(template, tag)
    out = workspace.parent / "out.docx"
    before = snapshot(workspace.parent)
    checked = run_mou("templates", "check", cwd=workspace)
    assert checked.returncode == 1
    assert checked.stdout.decode().splitlines() == [
        f"{template}: the tag '{tag}' uses what no template may: the attribute '__init__', "
        f"the attribute '__globals__', " + _calls_of(payload)
    ]
    for draft in ([], ["--draft"]):
        exported = run_mou("export", READY, "-o", str(out), *draft, cwd=workspace)
        assert exported.returncode == 1, exported.stdout
        (line,) = exported.stderr.decode().splitlines()  # refused in one line
        assert line.startswith(f"{template}: the tag '{tag}' uses what no template may")
        assert line.endswith(f"the template is refused (see `mou templates check {template}`)")
        everything = checked.stdout + checked.stderr + exported.stdout + exported.stderr
        assert hostname().encode() not in everything
    assert not marker.exists()  # the command never ran
    assert snapshot(workspace.parent) == before  # nothing written, no document


def _calls_of(payload: str) -> str:
    if payload == "popen":
        return "a call of …popen(), a call of …read()"
    return "the attribute '__builtins__', a call of …open(), a call of …read()"


def test_a_payload_in_the_document_title_is_read_too(workspace: Path, tmp_path: Path) -> None:
    """docxtpl renders the core properties (title, subject…) as templates as well."""
    marker = tmp_path / "MARKER"
    template = workspace / "templates" / "mou.docx"
    with_tag(template, payloads(marker)["popen"], part="docProps/core.xml")
    checked = run_mou("templates", "check", cwd=workspace)
    assert checked.returncode == 1
    assert "uses what no template may" in checked.stdout.decode()
    exported = run_mou("export", READY, "--draft", "-o", str(tmp_path / "o.docx"), cwd=workspace)
    assert exported.returncode == 1 and not marker.exists()


@pytest.mark.parametrize(
    ("tag", "use"),
    [
        ("{{ doc.title.upper() }}", "the Python attribute 'upper', a call of …upper()"),
        ("{{ doc.title|attr('upper') }}", "the filter 'attr'"),
        ("{{ doc.title|safe }}", "the filter 'safe'"),
        ("{% for p in parties %}{{ loop.cycle('a', 'b') }}{% endfor %}", "'loop.cycle'"),
        ("{{ doc['__class__'] }}", "the key '__class__'"),
        ("{% include 'other.docx' %}", "another template"),
        ("{% autoescape false %}{{ doc.title }}{% endautoescape %}", "autoescape switched off"),
    ],
)
def test_templates_check_names_each_tag_outside_the_allow_list(
    workspace: Path, tag: str, use: str
) -> None:
    template = workspace / "templates" / "mou.docx"
    with_tag(template, tag)
    checked = run_mou("templates", "check", cwd=workspace)
    assert checked.returncode == 1
    out = checked.stdout.decode()
    assert "uses what no template may" in out and use in out, out


def test_what_the_allow_list_offers_still_renders(workspace: Path, tmp_path: Path) -> None:
    """Fields, loop values, allowed filters and the template's own macros are fine."""
    template = workspace / "templates" / "mou.docx"
    tag = (
        "{% macro shout(text) %}{{ text|upper }}{% endmacro %}{{ shout(doc.title) }}"
        "{% for p in parties %} {{ loop.index }}/{{ loop.length }} {{ p.acronym|lower }}"
        "{% endfor %}"
    )
    with_tag(template, tag)
    checked = run_mou("templates", "check", cwd=workspace)
    assert checked.returncode == 0, checked.stdout
    out = tmp_path / "ok.docx"
    exported = run_mou("export", READY, "-o", str(out), cwd=workspace)
    assert exported.returncode == 0, exported.stderr
    from mou.document.ooxml import document_text

    text = document_text(out.read_bytes())
    title = load_file(workspace / "agreements" / f"{READY}.yaml").title
    assert f"{title.upper()} 1/" in text


@pytest.mark.parametrize(
    "source",
    [
        "{{ cycler.__init__.__globals__ }}",
        "{{ self.__init__.__globals__.__builtins__.open('/etc/hostname').read() }}",
        "{{ doc.title.format(doc) }}",
        "{{ parties.pop() }}",
        "{% for p in parties %}{{ loop.cycle(1, 2) }}{% endfor %}",
        "{{ 'x' * 10**8 }}",
        "{{ 2 ** 100000 }}",
        "{{ ((2 ** 99) ** 99) ** 99 }}",
    ],
)
def test_the_sandbox_itself_refuses_what_a_reading_might_miss(source: str) -> None:
    """The render environment is the second guard: each of these raises, none runs."""
    from jinja2.sandbox import SecurityError

    context = {"doc": {"title": "T"}, "parties": [{"acronym": "A"}]}
    with pytest.raises(SecurityError):
        jinja_environment().from_string(source).render(context)


def test_the_sandbox_has_no_globals_and_only_allowed_filters() -> None:
    env = jinja_environment()
    assert dict(env.globals) == {}
    assert "attr" not in env.filters and "safe" not in env.filters and "map" not in env.filters


def test_the_wizard_refuses_the_template_before_any_download(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest
    from streamlit.util import calc_hash

    from tests.support.runner import ROOT

    marker = workspace.parent / "MARKER"
    template = workspace / "templates" / "mou.docx"
    with_tag(template, payloads(marker)["popen"])
    monkeypatch.setenv("MOU_WORKSPACE", str(workspace))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.selectbox(key="list-open").set_value(READY)
    at.button(key="list-open-button").click().run()
    shown = {}
    for page in ("review", "export"):
        at._page_hash = calc_hash(page)  # as a browser's URL requests the page
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        shown[page] = " ".join(e.value for e in at.error)
    assert "Cannot render the preview: " in shown["review"]
    assert shown["export"].startswith(f"Cannot export: {template}: the tag ")
    assert "uses what no template may" in shown["export"]
    assert not at.get("download_button") and not marker.exists()


def test_a_tag_that_is_no_valid_syntax_is_named(workspace: Path, tmp_path: Path) -> None:
    template = workspace / "templates" / "mou.docx"
    with_tag(template, "{{ doc.title + }}")
    checked = run_mou("templates", "check", cwd=workspace)
    assert checked.returncode == 1
    assert checked.stdout.decode().splitlines() == [
        f"{template}: template syntax error in the tag '{{{{ doc.title + }}}}': "
        "unexpected 'end of print statement'"
    ]
    exported = run_mou("export", READY, "--draft", "-o", str(tmp_path / "o.docx"), cwd=workspace)
    assert exported.returncode == 1
    (line,) = exported.stderr.decode().splitlines()
    assert line.startswith(f"{template}: template syntax error in the tag '{{{{ doc.title + }}}}'")


def test_a_clean_template_is_checked_once_and_a_refused_one_every_time(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checking costs every export, preview and redline a tenth of a second or more, so a
    clean verdict is remembered by the template's hash; a refusal never is."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    template = workspace / "templates" / "mou.docx"
    out = tmp_path / "out.docx"
    assert not checked_before(template.read_bytes())
    assert run_mou("export", READY, "--draft", "-o", str(out), cwd=workspace).returncode == 0
    assert checked_before(template.read_bytes())
    assert len(list((cache / CHECKED_FOLDER).iterdir())) == 1
    with_tag(template, "{{ doc.title.upper() }}")
    for _ in range(2):  # checked, and refused, every time
        exported = run_mou("export", READY, "--draft", "-o", str(out), cwd=workspace)
        assert exported.returncode == 1
        assert "uses what no template may" in exported.stderr.decode()
    assert not checked_before(template.read_bytes())
    assert len(list((cache / CHECKED_FOLDER).iterdir())) == 1
