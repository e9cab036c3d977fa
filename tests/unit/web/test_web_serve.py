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


def test_serve_demo_makes_one_admin_with_a_password_kept_out_of_the_repository(
    monkeypatch, tmp_path, capsys
) -> None:
    import uvicorn
    from werkzeug.security import check_password_hash

    from reconcile.web import serve as serving
    from reconcile.web.auth import load_users

    started = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.append((app, kw)))
    monkeypatch.setattr(serving, "project_home", lambda: tmp_path)
    monkeypatch.setenv("RECONCILE_WAREHOUSE_URL", f"sqlite:///{tmp_path / 'w.db'}")
    monkeypatch.delenv(SECRET_ENV, raising=False)
    monkeypatch.delenv(USERS_ENV, raising=False)
    assert run_serve(_parse(["serve", "--demo", "--port", "8123"])) == 0
    printed = capsys.readouterr().out
    password = (tmp_path / "var" / "web" / "demo-password.txt").read_text().strip()
    assert password in printed and "http://127.0.0.1:8123/" in printed
    (user,) = load_users(tmp_path / "var" / "web" / "users.yaml").values()
    assert user.role == "admin" and check_password_hash(user.password_hash, password)
    assert started and started[0][1]["port"] == 8123
    # a second start keeps the same login
    assert run_serve(_parse(["serve", "--demo"])) == 0
    assert password in capsys.readouterr().out
