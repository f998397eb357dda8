"""Per-store, per-type, per-year numbers: formatted, gapless, unique under concurrency."""
import threading

from sqlalchemy.orm import Session

from app.core.numbering import allocate_number, current_value
from app.extensions import db
from tests.factories import store_by_code


def test_numbers_are_per_store_type_and_year(app):
    with app.app_context():
        dla, yde = store_by_code("DLA1"), store_by_code("YDE1")
        assert allocate_number(dla, "FAC", 2026) == "DLA1-FAC-2026-000001"
        assert allocate_number(dla, "FAC", 2026) == "DLA1-FAC-2026-000002"
        assert allocate_number(yde, "FAC", 2026) == "YDE1-FAC-2026-000001"
        assert allocate_number(dla, "AVO", 2026) == "DLA1-AVO-2026-000001"
        assert allocate_number(dla, "FAC", 2027) == "DLA1-FAC-2027-000001"  # yearly reset
        db.session.commit()


def test_a_rolled_back_document_gives_its_number_back(app):
    with app.app_context():
        dla = store_by_code("DLA1")
        allocate_number(dla, "FAC", 2026)
        db.session.commit()
        allocate_number(dla, "FAC", 2026)
        db.session.rollback()
        assert allocate_number(dla, "FAC", 2026) == "DLA1-FAC-2026-000002"
        db.session.commit()


def test_concurrent_allocations_are_unique_and_gapless(postgres):
    """8 threads x 25 allocations over 2 stores, every third transaction rolled back."""
    app = postgres
    with app.app_context():
        store_ids = {code: store_by_code(code).id for code in ("DLA1", "YDE1")}
        engine = db.engine
    barrier = threading.Barrier(8)
    committed = {"DLA1": [], "YDE1": []}
    lock = threading.Lock()
    errors = []

    def worker(index):
        from app.stores.models import Store

        try:
            barrier.wait()
            for attempt in range(25):
                code = "DLA1" if (index + attempt) % 2 else "YDE1"
                with Session(engine) as session:
                    store = session.get(Store, store_ids[code])
                    number = allocate_number(store, "FAC", 2026, session=session)
                    if (index * 25 + attempt) % 3 == 0:
                        session.rollback()
                        continue
                    session.commit()
                with lock:
                    committed[code].append(number)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for code, numbers in committed.items():
        values = sorted(int(number.rsplit("-", 1)[1]) for number in numbers)
        assert values == list(range(1, len(values) + 1)), code  # unique and gapless
        with app.app_context():
            assert current_value(store_ids[code], "FAC", 2026) == len(values)
    assert sum(len(v) for v in committed.values()) == 200 - len(range(0, 200, 3))
