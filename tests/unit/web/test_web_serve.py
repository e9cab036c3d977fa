"""The ``serve`` command: parsed like the CLI's others, refusing to start without its secret."""

from __future__ import annotations

import argparse

from reconcile.web.app import SECRET_ENV
from reconcile.web.serve import USERS_ENV, add_serve_command, run_serve


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_serve_command(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_serve_parses_its_options() -> None:
    args = _parse(["serve", "--port", "8123", "--users", "u.yaml", "--secure-cookie"])
    assert (args.port, str(args.users), args.secure_cookie, args.func) == (
        8123,
        "u.yaml",
        True,
        run_serve,
    )


def test_serve_refuses_without_a_secret_or_users(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setenv("RECONCILE_WAREHOUSE_URL", f"sqlite:///{tmp_path / 'w.db'}")
    monkeypatch.delenv(SECRET_ENV, raising=False)
    monkeypatch.delenv(USERS_ENV, raising=False)
    assert run_serve(_parse(["serve"])) == 2
    assert SECRET_ENV in capsys.readouterr().err
    monkeypatch.setenv(SECRET_ENV, "x" * 32)
    assert run_serve(_parse(["serve"])) == 2
    assert "--users" in capsys.readouterr().err
    bad = tmp_path / "users.yaml"
    bad.write_text("users:\n  an: {role: boss, provinces: ['82'], password_hash: 'a$b'}\n")
    assert run_serve(_parse(["serve", "--users", str(bad)])) == 2
    assert "boss" in capsys.readouterr().err
    assert not (tmp_path / "w.db").exists()  # refused before touching the warehouse
