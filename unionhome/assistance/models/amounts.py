"""How the centre writes money: every amount is ``Decimal`` yuan with two places, stored in a decimal field of
twelve digits (``MONEY``, the field arguments every money column shares), and ``ZERO`` is the amount nothing is
worth. Kept apart from the models so that each model module can share them without importing another.
"""

from decimal import Decimal

MONEY = {"max_digits": 12, "decimal_places": 2}
ZERO = Decimal("0.00")
