"""Product pictures: checked by content, size-limited, stored outside static/, served to signed-in users."""
import io
import os

import pytest
from sqlalchemy import select

from app.catalog.models import ProductImage
from app.extensions import db
from tests.catalog.images import picture_bytes, use_temporary_image_folder
from tests.conftest import DEMO


@pytest.fixture(autouse=True)
def image_folder(app):
    return use_temporary_image_folder(app)


def send(api, data, name="photo.png", product=1):
    return api.post(f"/api/v1/products/{product}/images/", data={"image": (io.BytesIO(data), name)},
                    content_type="multipart/form-data")


@pytest.mark.parametrize("kind,content_type", [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")])
def test_a_picture_is_stored_under_a_generated_name_and_served(app, as_manager, as_cashier, image_folder, kind,
                                                              content_type):
    data = picture_bytes(kind)
    response = send(as_manager, data, name="../../static/evil.php")
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        image = db.session.get(ProductImage, response.get_json()["id"])
        assert image.content_type == content_type and image.original_name == "evil.php"
        assert image.filename.endswith((".png", ".jpg", ".webp")) and "evil" not in image.filename
        path = os.path.join(image_folder, image.filename)
        assert open(path, "rb").read() == data
        assert "static" not in os.path.relpath(path, app.root_path).split(os.sep)
    served = as_cashier.get(f"/api/v1/products/images/{response.get_json()['id']}")
    assert served.status_code == 200 and served.data == data and served.mimetype == content_type


def test_a_fake_picture_is_refused(app, as_manager, image_folder):
    before = set(os.listdir(image_folder))
    for data, name in [(b"<?php system($_GET['c']); ?>", "photo.jpg"),
                       (b"GIF89a" + b"\x00" * 100, "photo.png"),
                       (picture_bytes("PNG")[:60], "tronquee.png"),
                       (picture_bytes("GIF"), "anime.gif"),
                       (b"", "vide.png")]:
        response = send(as_manager, data, name)
        assert response.status_code == 400, name
        assert response.get_json()["message"]
    assert set(os.listdir(image_folder)) == before
    with app.app_context():
        assert db.session.execute(select(ProductImage)).first() is None


def test_an_oversized_picture_is_refused(app, as_manager):
    app.config["PRODUCT_IMAGE_MAX_BYTES"] = 2000
    try:
        response = send(as_manager, _noisy_png())
    finally:
        del app.config["PRODUCT_IMAGE_MAX_BYTES"]
    assert response.status_code == 400 and "trop volumineuse" in response.get_json()["message"]


def _noisy_png():
    from PIL import Image

    picture = Image.effect_noise((200, 200), 80).convert("RGB")
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def test_pictures_are_for_signed_in_users_and_their_files_go_with_them(app, client, as_manager, image_folder):
    image_id = send(as_manager, picture_bytes("PNG")).get_json()["id"]
    with app.app_context():
        filename = db.session.get(ProductImage, image_id).filename
    assert client.get(f"/api/v1/products/images/{image_id}").status_code == 401
    assert client.get(f"/catalog/images/{filename}").status_code in (302, 401)  # to the login page
    client.post("/login/", data={"username": DEMO["SALES"][0], "password": DEMO["SALES"][1]})
    assert client.get(f"/catalog/images/{filename}").status_code == 200
    assert client.get("/catalog/images/..%2F..%2Fconfig.py").status_code == 404
    # deleting the picture (a manager, in the back office) removes its file once committed
    with app.app_context():
        db.session.delete(db.session.get(ProductImage, image_id))
        db.session.commit()
    assert not os.path.exists(os.path.join(image_folder, filename))
