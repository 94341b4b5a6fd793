"""Run the local Stripe server (localstripe) for the demo and the tests.

Differences from `python -m localstripe`: it listens on 127.0.0.1 only (localstripe binds
every interface), keeps its data in the file given by --store or nowhere (localstripe
writes /tmp/localstripe.pickle after every change), and registers the app's webhook
endpoint before it serves. It also serves the Stripe Connect endpoints the payouts use
(`devtools.localstripe_connect`), which localstripe lacks, and takes card numbers typed
with spaces as Stripe's card form does (`devtools.localstripe_cards`), and runs WeChat Pay
and Alipay payments with a test page to authorize or fail them
(`devtools.localstripe_wallets`).

    python -m devtools.localstripe_server --port 8420 \
        --webhook-url http://127.0.0.1:5000/checkout/stripe/webhook --webhook-secret whsec_…
"""

import argparse
import logging
import pickle
import socket
from pathlib import Path

from aiohttp import web
from localstripe import resources, server
from localstripe.webhooks import register_webhook

from . import localstripe_cards, localstripe_connect, localstripe_wallets


def _use_store_file(path: Path | None) -> None:
    def dump(store):
        if path is not None:
            path.write_bytes(pickle.dumps(dict(store), protocol=pickle.HIGHEST_PROTOCOL))

    resources.Store.dump_to_disk = dump
    if path is not None and path.exists():
        dict.update(resources.store, pickle.loads(path.read_bytes()))  # noqa: S301 (our own file)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--store", type=Path, help="keep the data in this file across restarts")
    parser.add_argument("--webhook-url", help="the app's webhook endpoint")
    parser.add_argument("--webhook-secret", help="the signing secret the app checks")
    parser.add_argument("--quiet", action="store_true", help="no access log")
    args = parser.parse_args(argv)

    _use_store_file(args.store)
    localstripe_connect.install(server.app)
    localstripe_cards.install()
    localstripe_wallets.install(server.app, f"http://{args.host}:{args.port}")
    if args.webhook_url:
        if not args.webhook_secret:
            parser.error("--webhook-url needs --webhook-secret")
        register_webhook("app", args.webhook_url, args.webhook_secret, None)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    logger = logging.getLogger("aiohttp.access")
    if not args.quiet:
        logger.setLevel(logging.INFO)
        logger.addHandler(logging.StreamHandler())
    print(f"local Stripe server on http://{args.host}:{args.port}", flush=True)
    web.run_app(server.app, sock=sock, access_log=None if args.quiet else logger, print=None)


if __name__ == "__main__":
    main()
