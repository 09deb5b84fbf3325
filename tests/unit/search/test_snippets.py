from congdichvu.search import snippets


def test_names_are_escaped_and_the_query_words_marked_whatever_their_spelling():
    marked = {"khai", "sinh", "hoa"}
    assert snippets.whole("Đăng ký khai sinh <script>", marked) == (
        "Đăng ký <mark>khai</mark> <mark>sinh</mark> &lt;script&gt;")
    assert snippets.whole("Gia đình văn hoá", marked) == "Gia đình văn <mark>hoá</mark>"  # "hoá" is "hóa"
    assert snippets.whole("", marked) == ""


def test_passages_open_at_a_word_hold_the_marks_and_stop_early():
    text = "Giấy tờ tùy thân của người đi đăng ký. " * 40 + "Bản chính Giấy chứng sinh do cơ sở y tế cấp."
    found = snippets.passages(text, {"chung", "sinh"})
    assert "<mark>sinh</mark>" in found and found.startswith(("Giấy", "tùy", "thân", "của", "người", "đi", "đăng", "ký", "Bản"))
    assert len(found) < snippets.PASSAGE_CHARS * snippets.PASSAGES + 200
    assert snippets.passages(text, {"karaoke"}) == ""
    two = snippets.passages("khai sinh " + "x " * 200 + "khai tử", {"khai"})
    assert two.count(snippets.BETWEEN) == 1
