"""Shell completion, installed by typer and answered by crisiscli, in real shells.

Each shell installs the completion the way a user would (``crisis
--install-completion`` run from that shell, into a scratch ``$HOME``), then
asks for completions the way the shell does: bash calls the installed
function, fish runs ``complete -C``, zsh gets TAB pressed in an interactive
session in a pseudo-terminal. The shells are skipped locally when missing and
fail under CI, where ``.ci/run`` installs them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest

from crisiscli.cli.completion import playbook_names, scenario_names, session_ids

from .conftest import MINI_PLAYBOOK, cli_env

BIN = Path(sys.executable).parent


def shell_or_skip(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed; .ci/run should have installed it")
        pytest.skip(f"{name} is not installed")
    return found


def start(write: Callable[[str, str], Path], title: str, *, close: bool = False) -> str:
    write("mini.toml", MINI_PLAYBOOK)
    env = cli_env()
    subprocess.run(
        [sys.executable, "-m", "crisiscli", "start", "mini.toml", "--title", title],
        input="3\n1000\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    listed = subprocess.run(
        [sys.executable, "-m", "crisiscli", "sessions", "list", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    import json  # noqa: PLC0415

    session = next(s["id"] for s in json.loads(listed) if s["title"] == title)
    if close:
        subprocess.run(
            [sys.executable, "-m", "crisiscli", "close", session, "--resolution", "done"],
            env=env,
            capture_output=True,
            timeout=60,
            check=True,
        )
    return session


@pytest.fixture
def sessions(write: Callable[[str, str], Path]) -> tuple[str, str]:
    """A closed session, then an open one: (open, closed)."""
    closed = start(write, "Yesterday's outage", close=True)
    opened = start(write, "Today's outage")
    return opened, closed


@pytest.fixture
def shell_env(tmp_path: Path) -> dict[str, str]:
    """A scratch $HOME for the shells' start-up files, and `crisis` on the PATH."""
    home = tmp_path / "user"
    home.mkdir()
    env = cli_env()
    env.update(HOME=str(home), PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", TERM="dumb")
    env.pop("XDG_CONFIG_HOME", None)
    return env


def install(shell: str, env: dict[str, str]) -> str:
    """Run ``crisis --install-completion`` from ``shell``, as a user would type it."""
    # The trailing `true` keeps the shell from exec-ing crisis in its place, so the
    # shell is crisis's parent and typer detects it.
    result = subprocess.run(
        [shell, "-c", "crisis --install-completion; true"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def test_bash_completes_commands_sessions_and_playbooks(
    sessions: tuple[str, str], shell_env: dict[str, str]
) -> None:
    bash = shell_or_skip("bash")
    said = install(bash, shell_env)
    script = Path(shell_env["HOME"]) / ".bash_completions" / "crisis.sh"
    assert f"bash completion installed in {script}" in said
    assert "crisis.sh" in (Path(shell_env["HOME"]) / ".bashrc").read_text()

    def complete(*words: str) -> list[str]:
        array = " ".join(f"'{w}'" for w in words)
        program = (
            f"source {script}; COMP_WORDS=(crisis {array}); COMP_CWORD={len(words)}; "
            '_crisis_completion crisis; printf "%s\\n" "${COMPREPLY[@]}"'
        )
        out = subprocess.run(
            [bash, "-c", program],
            env=shell_env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return [line for line in out.stdout.splitlines() if line]

    assert complete("sta") == ["start", "status", "stats", "stakeholder"]
    opened, closed = sessions
    assert complete("status", "") == [opened, closed]  # open first
    assert complete("report", opened[:-3]) == [opened]
    assert complete("note", "x", "--session", "") == [opened, closed]
    assert complete("start", "cu") == ["customer-outage"]
    assert complete("playbooks", "show", "") == ["customer-outage", "failed-delivery"]
    assert "event-app-overload" in complete("replay", "e")


def test_fish_completes_with_descriptions(
    sessions: tuple[str, str], shell_env: dict[str, str]
) -> None:
    fish = shell_or_skip("fish")
    said = install(fish, shell_env)
    assert "fish completion installed in" in said
    script = Path(shell_env["HOME"]) / ".config" / "fish" / "completions" / "crisis.fish"
    assert script.is_file()

    def complete(line: str) -> list[str]:
        out = subprocess.run(
            [fish, "-c", f"complete -C '{line}'"],
            check=True,
            env=shell_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return out.stdout.splitlines()

    opened, closed = sessions
    found = complete("crisis status ")
    assert f"{opened}\tToday's outage (open)" in found
    assert f"{closed}\tYesterday's outage (closed)" in found
    assert complete("crisis start cu") == [
        "customer-outage\ten: Customer outage; fr: Panne chez un client"
    ]


def test_zsh_completes_at_the_prompt(sessions: tuple[str, str], shell_env: dict[str, str]) -> None:
    zsh = shell_or_skip("zsh")
    said = install(zsh, shell_env)
    assert "zsh completion installed in" in said
    assert "compinit" in (Path(shell_env["HOME"]) / ".zshrc").read_text()
    child = pexpect.spawn(
        zsh, ["-i"], env=shell_env, encoding="utf-8", timeout=90, dimensions=(24, 200)
    )
    try:
        child.sendline("PROMPT='ready> '")
        child.expect("ready> ")
        # The installed file is autoloaded by zsh: the first TAB of a new shell
        # registers the completion function, the next ones complete.
        child.send("crisis start cu\t")
        if child.expect(["\x07", "stomer-outage"]) == 0:  # the first TAB may only beep
            child.send("\t")
            child.expect("stomer-outage")  # the rest of the word, typed in by zsh
        child.sendcontrol("c")
        child.expect("ready> ")
        opened, _closed = sessions
        child.send(f"crisis status {opened[:-2]}\t")
        child.expect(opened[-2:])
        child.sendcontrol("c")
        child.sendline("exit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)


def test_sessions_come_open_first_then_closed_then_drills(
    sessions: tuple[str, str], write: Callable[[str, str], Path]
) -> None:
    opened, closed = sessions
    ids = [session_id for session_id, _ in session_ids("")]
    assert ids == [opened, closed]
    assert session_ids("1999") == []
    assert dict(session_ids(""))[closed] == "Yesterday's outage (closed)"


def test_project_playbooks_and_scenarios_are_offered(write: Callable[[str, str], Path]) -> None:
    write("playbooks/mini.toml", MINI_PLAYBOOK)
    assert ("mini", "en: Mini outage") in playbook_names("m")
    assert playbook_names("./") == []  # a path: the shell completes file names
    names = [name for name, _ in scenario_names("damaged")]
    assert names == ["damaged-delivery", "damaged-delivery.en", "damaged-delivery.fr"]


def test_completion_stays_silent_when_the_data_folder_is_unusable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, write: Callable[[str, str], Path]
) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("not a folder")
    monkeypatch.setenv("CRISIS_HOME", str(not_a_folder))
    assert session_ids("") == []
    assert scenario_names("2026") == []
    write("playbooks/broken.toml", "[playbook\n")
    assert [name for name, _ in playbook_names("")] == ["customer-outage", "failed-delivery"]
