"""congdichvu-catalog and congdichvu-db, run as an operator would."""
import json

import pytest
from sqlalchemy import create_engine, text

from congdichvu.scripts import catalog as catalog_command
from tests.conftest import DEMO_CATALOG, INI
from tests.factories import demo_document


@pytest.fixture
def environment(fresh_settings, monkeypatch):
    """Point the commands at a fresh database through the environment, as
    a second instance beside the first would be."""
    monkeypatch.setenv("CONGDICHVU_DATABASE_URL", fresh_settings["sqlalchemy.url"])
    monkeypatch.setenv("CONGDICHVU_DATA_DIR", fresh_settings["congdichvu.data_dir"])
    yield fresh_settings
    create_engine(fresh_settings["sqlalchemy.url"]).dispose()


def _count(settings, table):
    engine = create_engine(settings["sqlalchemy.url"])
    with engine.connect() as connection:
        value = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    engine.dispose()
    return value


def test_import_export_import_export_gives_identical_files(environment, tmp_path, capsys):
    assert catalog_command.main(["import", INI, str(DEMO_CATALOG)]) == 0
    assert "thêm mới 89" in capsys.readouterr().out
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert catalog_command.main(["export", INI, str(first)]) == 0
    assert catalog_command.main(["import", INI, str(first)]) == 0
    assert "giữ nguyên 89" in capsys.readouterr().out
    assert catalog_command.main(["export", INI, str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()
    exported = json.loads(first.read_text(encoding="utf-8"))
    original = demo_document()
    exported.pop("generated"), original.pop("generated")
    assert exported == original


def test_an_invalid_file_lists_every_problem_and_changes_nothing(environment, tmp_path, capsys):
    assert catalog_command.main(["import", INI, str(DEMO_CATALOG)]) == 0
    document = demo_document()
    document["procedures"][0]["code"] = "sai-ma"
    document["procedures"][3]["channels"][0]["fees"][0]["amount"] = "năm nghìn"
    document["procedures"][5]["name"] = "Tên đã đổi nhưng không được lưu"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    before = _count(environment, "procedure")
    assert catalog_command.main(["import", INI, str(broken)]) == 1
    err = capsys.readouterr().err
    assert "Chưa nhập danh mục; dữ liệu không thay đổi. Số lỗi tìm thấy: 2" in err
    assert "$.procedures[0].code" in err
    assert "$.procedures[3].channels[0].fees[0].amount" in err
    assert _count(environment, "procedure") == before
    engine = create_engine(environment["sqlalchemy.url"])
    with engine.connect() as connection:
        names = connection.execute(text("SELECT name FROM procedure WHERE name LIKE 'Tên đã đổi%'")).all()
    engine.dispose()
    assert names == []


def test_a_file_that_is_not_json_is_explained(environment, tmp_path, capsys):
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "congdichvu-catalog",', encoding="utf-8")
    assert catalog_command.main(["import", INI, str(broken)]) == 1
    assert "không phải JSON hợp lệ" in capsys.readouterr().err
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"note": "Đăng ký"}'.encode("cp1258", errors="replace") + b"\xff")
    assert catalog_command.main(["import", INI, str(latin)]) == 1
    assert "UTF-8" in capsys.readouterr().err
    assert catalog_command.main(["import", INI, str(tmp_path / "missing.json")]) == 1
    assert "Không đọc được tệp" in capsys.readouterr().err


def test_load_demo_only_fills_an_empty_database(environment, capsys):
    assert catalog_command.main(["load-demo", INI]) == 0
    out = capsys.readouterr().out
    assert "Đã thêm mẫu đơn, tờ khai: to-khai-dang-ky-khai-sinh.docx" in out
    assert _count(environment, "procedure") == 89
    assert _count(environment, "form_template") == 5
    assert catalog_command.main(["load-demo", INI]) == 0
    assert "không nạp danh mục minh họa" in capsys.readouterr().out


def test_add_forms_refuses_disguised_files(environment, tmp_path, capsys):
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "that-ra-la-chuong-trinh.pdf").write_bytes(b"MZ\x90\x00" + b"\x00" * 100)
    (folder / "mau-that.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
    (folder / "ten có dấu.pdf").write_bytes(b"%PDF-1.4\n")
    assert catalog_command.main(["add-forms", INI, str(folder)]) == 1
    captured = capsys.readouterr()
    assert "mau-that.pdf" in captured.out
    assert "that-ra-la-chuong-trinh.pdf: Tệp không phải tệp PDF, Word, Excel hoặc OpenDocument." in captured.err
    assert "Tên tệp chỉ được gồm" in captured.err
    assert _count(environment, "form_template") == 1
