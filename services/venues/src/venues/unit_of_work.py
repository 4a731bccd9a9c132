"""The venues unit of work: the shared transaction plus this service's repositories."""

import sqlalchemy as sa

from eventbus.runtime import UnitOfWork
from venues import db
from venues.domain.areas import Area


class VenuesUnitOfWork(UnitOfWork):
    def get_area(self, area_id: str) -> Area | None:
        row = self.conn.execute(sa.select(db.areas).where(db.areas.c.id == area_id)).first()
        if row is None:
            return None
        return Area(row.level, row.name_vi, row.name_en, row.parent_id, row.code, row.id)

    def list_areas(self) -> list[Area]:
        rows = self.conn.execute(sa.select(db.areas).order_by(db.areas.c.level, db.areas.c.name_vi))
        return [Area(r.level, r.name_vi, r.name_en, r.parent_id, r.code, r.id) for r in rows]

    def sibling_named(self, parent_id: str | None, name_vi: str) -> bool:
        query = sa.select(db.areas.c.id).where(
            db.areas.c.parent_id.is_not_distinct_from(parent_id), db.areas.c.name_vi == name_vi
        )
        return self.conn.execute(query).first() is not None

    def add_area(self, area: Area) -> None:
        self.conn.execute(
            db.areas.insert().values(
                id=area.id,
                parent_id=area.parent_id,
                level=area.level,
                name_vi=area.name_vi,
                name_en=area.name_en,
                code=area.code,
            )
        )
