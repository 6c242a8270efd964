"""``onething`` command line: serve the API, migrate the database, deploy the shipped bundles."""

from __future__ import annotations

import argparse
import os
import sys

from engine.bootstrap import Settings, build_engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="onething", description="一件事 workflow engine")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the API server (Flask's threaded server)")
    serve.add_argument("--host", default=os.environ.get("ONETHING_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("ONETHING_PORT", "5000")))
    sub.add_parser("deploy", help="migrate the database and deploy the shipped bundles, then exit")
    args = parser.parse_args(argv)

    settings = Settings.from_env()
    if args.command == "deploy":
        engine = build_engine(settings)
        print(f"database: {settings.database_url}")
        return 0 if engine else 1
    from api import create_app

    engine = build_engine(settings)
    app = create_app({"ENGINE": engine})
    print(f"database: {settings.database_url}", file=sys.stderr)
    print(f"API on http://{args.host}:{args.port}/api  (OpenAPI: /api/openapi.json, Swagger UI: /api/docs)",
          file=sys.stderr)
    app.run(host=args.host, port=args.port, threaded=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
