"""``onething`` command line: serve the API, deploy, create the first administrator, verify the
audit chain."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from api import audit_command, generate_command, hall_command, registry_command, simulate_command
from engine.bootstrap import OneThingEngine, Settings, UnsafeConfiguration, build_engine
from engine.domain.access import Role
from engine.domain.errors import DomainError
from engine.domain.model import OFFICE, SYSTEM
from engine.persistence.database import UnsupportedDatabaseUrl
from engine.services.accounts import DEMO_PASSWORD, CreateUser, create_user, demo_users, role_names_zh
from engine.services.savings import backfill_savings
from engine.services.timers import Ticker, tick


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="onething", description="一件事 workflow engine")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the API server (Flask's threaded server)")
    serve.add_argument("--host", default=os.environ.get("ONETHING_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("ONETHING_PORT", "5000")))
    serve.add_argument("--demo-users", action="store_true",
                       help="seed one demo user per role and department (same as ONETHING_DEMO_USERS=1)")
    serve.add_argument("--demo-registries", action="store_true",
                       help="load the demo registries (fictitious residents and enterprises of 新乡) into every "
                            "empty registry (same as ONETHING_DEMO_REGISTRIES=1)")
    sub.add_parser("deploy", help="migrate the database and deploy the shipped bundles, then exit")
    admin = sub.add_parser("create-admin", help="create an administrator (the first one, typically)")
    admin.add_argument("login")
    admin.add_argument("--name", default="系统管理员")
    admin.add_argument("--password-env", default="ONETHING_ADMIN_PASSWORD",
                       help="read the password from this environment variable (else it is asked for)")
    verify = sub.add_parser("audit-verify", help="verify the hash chains of the event log and that the case rows "
                                                 "agree with their events; exit 1 at a broken link or a disagreement")
    verify.add_argument("--checkpoint", help="also check the chain heads sealed in this checkpoint file")
    verify.add_argument("--incremental", action="store_true",
                        help="read only the chains that grew since the last sound verification (the nightly run; "
                             "run the full one weekly)")
    checkpoint = sub.add_parser("audit-checkpoint", help="verify the log, then write a signed checkpoint of every "
                                                         "chain's head (keep it outside the database)")
    checkpoint.add_argument("--out", required=True, help="the file to write ('-' for standard output)")
    sub.add_parser("savings-backfill", help="measure the savings of closed cases that have none yet (closed "
                                            "before savings were measured)")
    sub.add_parser("tick", help="run what is due once (for cron): fire due BPMN timers, terminate cases whose "
                                "tolerated materials are overdue, recompute deadline colours and raise warnings")
    simulate_command.add_parser(sub)
    generate_command.add_parser(sub)
    hall_command.add_parser(sub)
    registry_command.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "simulate":  # builds its own engine, on its own clock and database
        return simulate_command.run_simulate(args)
    if args.command == "generate":  # likewise
        return generate_command.run_generate(args)
    if args.command == "simulate-hall":
        return hall_command.run_hall(args)
    settings = Settings.from_env()
    if args.command == "serve" and args.demo_users:
        settings.demo_users = True
    if args.command == "serve" and args.demo_registries:
        settings.demo_registries = True
    try:
        engine = build_engine(settings)
    except (UnsafeConfiguration, UnsupportedDatabaseUrl) as err:
        print(f"onething: {err}", file=sys.stderr)
        return 2
    try:
        if args.command == "deploy":
            print(f"database: {settings.database_url}")
            return 0
        if args.command == "create-admin":
            return _create_admin(engine, args.login, args.name, args.password_env)
        if args.command == "audit-verify":
            return audit_command.verify(engine.ctx, args.checkpoint, args.incremental)
        if args.command == "audit-checkpoint":
            return audit_command.checkpoint(engine.ctx, args.out)
        if args.command == "savings-backfill":
            measured = backfill_savings(engine.ctx)
            print(f"measured {len(measured)} closed cases: {', '.join(measured)}")
            return 0
        if args.command == "registry":
            return registry_command.run(engine, args)
        if args.command == "tick":
            report = tick(engine.ctx)
            for line in report.lines():
                print(line)
            print(f"timers fired: {len(report.timers)}, cases terminated: {len(report.terminated)}, "
                  f"clocks changed: {len(report.clocks)}")
            return 0
        return _serve(engine, args.host, args.port)
    finally:
        engine.dispose()


def _create_admin(engine: OneThingEngine, login: str, name: str, password_env: str) -> int:
    password = os.environ.get(password_env) or getpass.getpass(f"password for {login}: ")
    try:
        create_user(CreateUser(login, name, OFFICE, [Role.ADMIN], password, SYSTEM), engine.ctx)
    except DomainError as err:
        details = "; ".join(f"{k}: {' '.join(v)}" for k, v in err.field_errors.items())
        print(f"onething: {err.message_zh}{'（' + details + '）' if details else ''}", file=sys.stderr)
        return 1
    print(f"administrator {login} created; log in with POST /api/auth/login")
    return 0


def _serve(engine: OneThingEngine, host: str, port: int) -> int:
    from api import create_app

    app = create_app({"ENGINE": engine})
    print(f"database: {engine.settings.database_url}", file=sys.stderr)
    print(f"API on http://{host}:{port}/api  (OpenAPI: /api/openapi.json, Swagger UI: /api/docs)", file=sys.stderr)
    print(f"web workbench (工作台) on http://{host}:{port}/  (log in at /app/login)", file=sys.stderr)
    if engine.settings.demo_users:
        print(f"\ndemo users (password for all: {DEMO_PASSWORD}):", file=sys.stderr)
        for user in demo_users(engine.ctx):
            print(f"  {user.login:16} {user.department:8} {role_names_zh([str(r) for r in user.roles])}",
                  file=sys.stderr)
        print(f"\nlog in:  curl -s -X POST http://{host}:{port}/api/auth/login -H 'Content-Type: application/json' "
              f"-d '{{\"login\": \"clerk\", \"password\": \"{DEMO_PASSWORD}\"}}'\n"
              "then send the token as 'Authorization: Bearer <token>'", file=sys.stderr)
    ticker = None
    if engine.settings.tick_seconds > 0:
        ticker = Ticker(engine.ctx, engine.settings.tick_seconds)
        ticker.start()
        print(f"ticker: every {engine.settings.tick_seconds:g} s (ONETHING_TICK_SECONDS)", file=sys.stderr)
    try:
        app.run(host=host, port=port, threaded=True)
    finally:
        if ticker is not None:
            ticker.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
