"""`python -m flows.samplesite`: serve a sample news site until Ctrl-C."""

from __future__ import annotations

import argparse
import threading

from flows.samplesite import SiteServer, build_site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m flows.samplesite", description="Serve the sample news site."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--outlets", type=int, default=5)
    parser.add_argument("--articles", type=int, default=8, help="articles per outlet")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--slow-seconds", type=float, default=2.0)
    parser.add_argument("--no-faults", action="store_true", help="no 503, 404, slow or bad feed")
    args = parser.parse_args(argv)
    try:
        site = build_site(args.outlets, args.articles, seed=args.seed, faults=not args.no_faults)
    except ValueError as exc:
        parser.error(str(exc))
    server = SiteServer(site, host=args.host, port=args.port, slow_seconds=args.slow_seconds)
    try:
        server.start()
    except OSError as exc:
        parser.exit(1, f"error: cannot listen on {args.host}:{args.port}: {exc.strerror}\n")
    try:
        print(f"sample news site: {server.base_url}/ ({len(site.articles())} articles)")
        for url in server.feed_urls:
            print(url)
        print("Ctrl-C stops the server.", flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
