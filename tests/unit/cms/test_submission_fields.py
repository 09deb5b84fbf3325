from congdichvu.cms.submission_fields import to_fields, to_questions


def _question(label, name="", kind="text", choices=""):
    return {"name": name, "label": label, "kind": kind, "required": True, "help": "", "choices": choices}


def test_questions_get_stable_unique_names():
    fields = to_fields([_question("Họ tên người được khai sinh"), _question("Họ tên người được khai sinh"),
                        _question("Nơi sinh", kind="choice", choices="Bệnh viện\n\n Tại nhà ")])
    assert [f["name"] for f in fields] == ["ho_ten_nguoi_duoc_khai_sinh", "ho_ten_nguoi_duoc_khai_sinh_2", "noi_sinh"]
    assert fields[2]["choices"] == ["Bệnh viện", "Tại nhà"]
    # a renamed question keeps its name, so open drafts keep their answers
    renamed = to_fields([dict(to_questions(fields)[0], label="Tên của trẻ")])
    assert renamed[0]["name"] == "ho_ten_nguoi_duoc_khai_sinh"


def test_a_tampered_or_reserved_name_is_never_stored():
    fields = to_fields([_question("Mã bảo mật", name="csrf_token"), _question("Nơi ở", name="_charset_"),
                        _question("CSRF token"), _question("Next"), _question("Họ tên", name="ho_ten"),
                        _question("Họ tên khác", name="ho_ten"), _question("Số con", name="a b'\"<>"),
                        _question("2 con trở lên")])
    names = [field["name"] for field in fields]
    assert names == ["ma_bao_mat", "noi_o", "csrf_token_2", "next_2", "ho_ten", "ho_ten_khac", "so_con",
                     "cau_hoi_2_con_tro_len"]
