from PIL import Image

from ganforge.viz import side_by_side, titled


def test_titled_pictures_side_by_side_keep_each_picture_and_its_place():
    red, blue = Image.new("RGB", (30, 20), (255, 0, 0)), Image.new("RGB", (10, 40), (0, 0, 255))
    a, b = titled(red, "4 px"), titled(blue, "8 px")
    assert a.size == (30, 44) and a.getpixel((15, 30)) == (255, 0, 0)
    assert a.crop((0, 0, 30, 24)).convert("L").getextrema()[0] < 128  # the title is drawn above the picture
    row = side_by_side([a, b], gap=5)
    assert row.size == (30 + 5 + 10, 64)
    assert row.getpixel((15, 30)) == (255, 0, 0) and row.getpixel((40, 50)) == (0, 0, 255)
    assert row.getpixel((32, 30)) == (255, 255, 255) and row.getpixel((15, 50)) == (255, 255, 255)
