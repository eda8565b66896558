"""The product store: what analyses made, kept, described and published (``mmvo.products``, ``ivoa.obscore``)."""

from vo_service.products.records import Activity, ProductRecord, product_records
from vo_service.products.store import ProductStore

__all__ = ["Activity", "ProductRecord", "ProductStore", "product_records"]
