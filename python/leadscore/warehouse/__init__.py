"""The warehouse behind the active dbt profile, for the few things Python does there: load raw demo
data, read the training mart, check generated SQL. dbt owns every table the product serves."""

from leadscore.warehouse.connection import Warehouse, connect
from leadscore.warehouse.profiles import WarehouseTarget, load_target

__all__ = ["Warehouse", "WarehouseTarget", "connect", "load_target"]
