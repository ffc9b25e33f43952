"""Studies with people: conditions in balanced order, questionnaires, storage, analysis.

    from designkit.study.people import OrderScheme, Questionnaire
"""

from designkit.study.people.order import OrderBook, OrderScheme, Scheme

__all__ = ["OrderBook", "OrderScheme", "Scheme"]
