"""Reminder-job benchmark: `reminders send` over 100,000 garage cars.

    .venv/bin/python bench/reminders.py                      # fresh SQLite file under $TMPDIR
    .venv/bin/python bench/reminders.py --vehicles 20000     # smaller
    .venv/bin/python bench/reminders.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_reminders

It migrates an empty database, imports the bundled catalog and rules, bulk-inserts owners
(2 cars each) with two odometer readings per car, an insurance policy on every third car and
a registration date spread over 15 years, then times `send_reminders` (the part the issue's
goal is about: under a minute, not loading all rows) and the emails separately, and runs the
job a second time to show that it sends nothing new. Peak memory is reported from getrusage.
Nothing leaves 127.0.0.1 (emails go to a temporary outbox).
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vehicles", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    import flask_migrate
    from sqlalchemy import func, insert, select

    from marketplace import create_app
    from marketplace.config import Config
    from marketplace.extensions import db
    from marketplace.models import (
        GarageVehicle,
        InsurancePolicy,
        Notification,
        OdometerReading,
        User,
        Variant,
    )
    from marketplace.services import catalog, maintenance_rules, notifications, reminders

    work = Path(tempfile.mkdtemp(prefix="chefu-reminders-"))
    config = Config()
    config.SQLALCHEMY_DATABASE_URI = args.database_url or f"sqlite:///{work / 'bench.db'}"
    config.MAIL_OUTBOX_DIR = str(work / "outbox")
    config.SECRET_KEY = "bench-only"  # noqa: S105
    config.TESTING = True
    app = create_app(config)
    rng = random.Random(args.seed)
    today = date(2026, 11, 30)
    now = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    with app.app_context():
        if db.session.get_bind().dialect.name == "postgresql":
            db.drop_all()
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        started = time.perf_counter()
        catalog.import_catalog(catalog.CATALOG_DIR)
        maintenance_rules.import_rules_file()
        db.session.commit()
        variants = db.session.scalars(
            select(Variant.id).where(Variant.fuel_type.is_not(None)).order_by(Variant.id)
        ).all()
        owners = args.vehicles // 2
        db.session.execute(
            insert(User),
            [
                {
                    "email": f"owner{n}@bench.example.com",
                    "display_name": f"车主{n}",
                    "password_hash": "!",
                    "role": "owner",
                }
                for n in range(owners)
            ],
        )
        user_ids = db.session.scalars(select(User.id).order_by(User.id)).all()
        cars = []
        for n in range(args.vehicles):
            registered = today - timedelta(days=rng.randint(30, 15 * 365))
            cars.append(
                {
                    "owner_id": user_ids[n // 2],
                    "variant_id": rng.choice(variants),
                    "registered_on": registered,
                    "is_default": n % 2 == 0,
                }
            )
        db.session.execute(insert(GarageVehicle), cars)
        car_rows = db.session.execute(
            select(GarageVehicle.id, GarageVehicle.registered_on).order_by(GarageVehicle.id)
        ).all()
        readings, policies = [], []
        for car_id, registered in car_rows:
            age = (today - registered).days
            km_per_day = rng.uniform(15, 80)
            first = registered + timedelta(days=age // 3)
            last = max(today - timedelta(days=rng.randint(1, 120)), registered + timedelta(days=1))
            if last <= first:
                first = registered
            for on in (first, last):
                readings.append(
                    {
                        "vehicle_id": car_id,
                        "read_on": on,
                        "km": int((on - registered).days * km_per_day),
                        "source": "owner",
                    }
                )
            if car_id % 3 == 0:
                policies.append(
                    {
                        "vehicle_id": car_id,
                        "insurer": "中国人保",
                        "expires_on": today + timedelta(days=rng.randint(0, 365)),
                    }
                )
        for start in range(0, len(readings), 20_000):
            db.session.execute(insert(OdometerReading), readings[start : start + 20_000])
        db.session.execute(insert(InsurancePolicy), policies)
        db.session.commit()
        print(
            f"seeded {len(car_rows):,} cars of {owners:,} owners, {len(readings):,} readings, "
            f"{len(policies):,} policies on {db.session.get_bind().dialect.name} "
            f"in {time.perf_counter() - started:.1f} s"
        )

        def external(endpoint, **values):
            return f"http://127.0.0.1:5000/{endpoint}/{values}"

        for run in (1, 2):
            started = time.perf_counter()
            counts = reminders.send_reminders(today, now)
            job = time.perf_counter() - started
            started = time.perf_counter()
            emailed = notifications.send_pending_emails(now, external)
            mail = time.perf_counter() - started
            print(
                f"run {run}: reminders over {counts.vehicles:,} cars in {job:.1f} s "
                f"({counts.as_dict()}); {emailed:,} emails in {mail:.1f} s"
            )
        total = db.session.scalar(select(func.count(Notification.id)))
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"notifications stored: {total:,}; peak RSS of this process: {peak_mb:.0f} MB")
        print(f"work dir (database, outbox): {work}")


if __name__ == "__main__":
    main()
