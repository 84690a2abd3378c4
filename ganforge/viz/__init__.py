"""Pictures: image grids, labelled sample sheets, and titled pictures side by side."""
from .grid import image_grid, labelled_sheet, save_png, side_by_side, titled, to_uint8

__all__ = ["image_grid", "labelled_sheet", "save_png", "side_by_side", "titled", "to_uint8"]
