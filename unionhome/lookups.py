"""``__prefix``: an index-friendly "starts with" on both databases.

PostgreSQL answers ``LIKE 'abc%'`` from a ``varchar_pattern_ops`` index. SQLite's LIKE is
case-insensitive and will not use an ordinary index, so there the lookup becomes the range
``column >= 'abc' AND column < 'abc' || U+10FFFF``, which any index answers.
"""

from django.db.models import CharField
from django.db.models.lookups import StartsWith

_TOP = "\U0010ffff"


@CharField.register_lookup
class Prefix(StartsWith):
    lookup_name = "prefix"

    def get_rhs_op(self, connection, rhs):
        # The backends know this operator as "startswith"; "prefix" is only our name for it.
        if hasattr(self.rhs, "as_sql") or self.bilateral_transforms:
            return connection.pattern_ops["startswith"].format(rhs)
        return connection.operators["startswith"] % rhs

    def as_sqlite(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        value = str(self.rhs)
        return f"({lhs} >= %s AND {lhs} < %s)", [*lhs_params, value, *lhs_params, value + _TOP]
