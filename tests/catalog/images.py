"""Small pictures made in memory for the upload tests."""
import io


def picture_bytes(kind="PNG", size=(8, 8), color=(200, 30, 30)):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=kind)
    return buffer.getvalue()


def png_bytes():
    return picture_bytes("PNG")


def use_temporary_image_folder(app):
    """Tests keep their uploads out of instance/ (one folder per test session)."""
    import tempfile

    if not app.config.get("PRODUCT_IMAGE_FOLDER"):
        app.config["PRODUCT_IMAGE_FOLDER"] = tempfile.mkdtemp(prefix="boutique-images-")
    return app.config["PRODUCT_IMAGE_FOLDER"]
