"""Pictures: image grids and labelled sample sheets."""
from .grid import image_grid, labelled_sheet, save_png, to_uint8

__all__ = ["image_grid", "labelled_sheet", "save_png", "to_uint8"]
