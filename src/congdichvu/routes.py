"""Every route of the portal, named, in one place."""


def includeme(config):
    settings = config.get_settings()
    static_dir = settings["congdichvu.static_dir"]
    config.add_static_view("static", static_dir, cache_max_age=3600)

    def static(request, path):
        return request.static_path(f"{static_dir}/{path}")

    config.add_request_method(static, "static")

    config.add_route("home", "/")
    config.add_route("locale", "/ngon-ngu/{code}")

    config.add_route("login", "/dang-nhap")
    config.add_route("logout", "/dang-xuat")
    config.add_route("account", "/tai-khoan")
    config.add_route("change_password", "/tai-khoan/mat-khau")
    config.add_route("register", "/dang-ky")
    config.add_route("verify_email", "/xac-minh/{token}")
    config.add_route("forgot_password", "/quen-mat-khau")
    config.add_route("reset_password", "/dat-lai-mat-khau/{token}")

    config.add_route("procedures", "/thu-tuc")
    config.add_route("procedure", "/thu-tuc/{code}", factory="congdichvu.catalog.resources.procedure_factory")
    config.add_route("submit_online", "/thu-tuc/{code}/nop-truc-tuyen",
                     factory="congdichvu.eservices.resources.online_procedure_factory")
    config.add_route("sectors", "/linh-vuc")
    config.add_route("sector", "/linh-vuc/{code}", factory="congdichvu.catalog.resources.sector_factory")
    config.add_route("agencies", "/co-quan")
    config.add_route("agency", "/co-quan/{code}", factory="congdichvu.catalog.resources.agency_factory")
    config.add_route(
        "form_template",
        "/bieu-mau/{filename}",
        factory="congdichvu.catalog.resources.form_template_factory",
    )

    config.add_route("cms_dashboard", "/quan-tri")
    config.add_route("cms_procedures", "/quan-tri/thu-tuc")
    config.add_route("cms_procedure_new", "/quan-tri/thu-tuc/them")
    config.add_route("cms_procedure_edit", "/quan-tri/thu-tuc/{code}/sua")
    config.add_route("cms_procedure_history", "/quan-tri/thu-tuc/{code}/lich-su")
    config.add_route("cms_procedure_diff", "/quan-tri/thu-tuc/{code}/so-sanh")
    config.add_route("cms_procedure_action", "/quan-tri/thu-tuc/{code}/trang-thai")
    config.add_route("cms_submission_form", "/quan-tri/thu-tuc/{code}/cau-hoi-nop-truc-tuyen")
    config.add_route("cms_audit", "/quan-tri/nhat-ky")
    config.add_route("cms_forms", "/quan-tri/bieu-mau")
    config.add_route("cms_articles", "/quan-tri/bai-viet")
    config.add_route("cms_article_new", "/quan-tri/bai-viet/them")
    config.add_route("cms_article_edit", "/quan-tri/bai-viet/{id}/sua")
    config.add_route("cms_article_action", "/quan-tri/bai-viet/{id}/trang-thai")
    config.add_route("cms_comments", "/quan-tri/y-kien")
    config.add_route("cms_search", "/quan-tri/tim-kiem")
    config.add_route("cms_thesaurus", "/quan-tri/tim-kiem/tu-dong-nghia")
    config.add_route("cms_thesaurus_new", "/quan-tri/tim-kiem/tu-dong-nghia/them")  # before {id}, which "them" is not
    config.add_route("cms_thesaurus_entry", "/quan-tri/tim-kiem/tu-dong-nghia/{id}")
    config.add_route("cms_thesaurus_delete", "/quan-tri/tim-kiem/tu-dong-nghia/{id}/xoa")
    config.add_route("calendar_admin", "/quan-tri/lich")
    config.add_route("users_admin", "/quan-tri/nguoi-dung")
    config.add_route("user_admin_new", "/quan-tri/nguoi-dung/them")  # before {id}, which "them" is not
    config.add_route("user_admin", "/quan-tri/nguoi-dung/{id}")
    config.add_route("user_admin_reset", "/quan-tri/nguoi-dung/{id}/dat-lai-mat-khau")

    config.add_route("page", "/trang/{slug}")
    config.add_route("news", "/tin-tuc")
    config.add_route("news_feed", "/tin-tuc/atom.xml")
    config.add_route("news_article", "/tin-tuc/{slug}")

    config.add_route("statistics", "/thong-ke")
    config.add_route("statistics_download", "/thong-ke/tai-xuong.{format}")

    config.add_route("dossier_lookup", "/tra-cuu-ho-so")
    config.add_route("my_dossiers", "/ho-so-cua-toi")
    drafts = "congdichvu.eservices.resources.draft_factory"
    config.add_route("draft_delete", "/ho-so-cua-toi/nhap/{token}/xoa", factory=drafts)
    config.add_route("draft_step", "/ho-so-cua-toi/nhap/{token}/{step}", factory=drafts)
    dossiers = "congdichvu.eservices.resources.dossier_factory"
    config.add_route("dossier", "/ho-so-cua-toi/{code}", factory=dossiers)
    config.add_route("dossier_file", "/ho-so-cua-toi/{code}/tep/{id}", factory=dossiers)
    config.add_route("dossier_withdraw", "/ho-so-cua-toi/{code}/rut", factory=dossiers)
    config.add_route("dossier_supplement", "/ho-so-cua-toi/{code}/bo-sung", factory=dossiers)
    config.add_route("dossier_pay", "/ho-so-cua-toi/{code}/thanh-toan", factory=dossiers)
    # the rating's address is also sent in the mail telling that the result was returned
    config.add_route("dossier_rate", "/ho-so-cua-toi/{code}/danh-gia", factory=dossiers)

    # the gateway's two addresses (VNPay protocol): other tools rely on these paths
    config.add_route("vnpay_return", "/payments/vnpay/return")
    config.add_route("vnpay_ipn", "/payments/vnpay/ipn")

    config.add_route("desk", "/mot-cua")
    config.add_route("desk_ledger", "/mot-cua/so-theo-doi")
    config.add_route("desk_intake", "/mot-cua/tiep-nhan")
    config.add_route("desk_intake_form", "/mot-cua/tiep-nhan/{code}",
                     factory="congdichvu.onestop.resources.intake_procedure_factory")
    staff_dossiers = "congdichvu.onestop.resources.staff_dossier_factory"
    config.add_route("desk_dossier", "/mot-cua/ho-so/{code}", factory=staff_dossiers)
    config.add_route("desk_file", "/mot-cua/ho-so/{code}/tep/{id}", factory=staff_dossiers)
    config.add_route("desk_action", "/mot-cua/ho-so/{code}/xu-ly/{action}", factory=staff_dossiers)
    config.add_route("desk_payments", "/mot-cua/thanh-toan")
    config.add_route("desk_statistics", "/mot-cua/thong-ke")
    config.add_route("desk_statistics_dossiers", "/mot-cua/thong-ke/ho-so")
    config.add_route("desk_payment_refunded", "/mot-cua/thanh-toan/hoan-tien")  # POST only (the view)
    config.add_route("desk_control_sheet", "/mot-cua/ho-so/{code}/phieu-kiem-soat.pdf", factory=staff_dossiers)

    config.add_route("search", "/tim-kiem")
    config.add_route("search_open", "/tim-kiem/mo")
    config.add_route("opensearch", "/opensearch.xml")
    config.add_route("api_search", "/api/v1/search")
    config.add_route("api_search_suggest", "/api/v1/search/suggest")

    config.add_route("api_procedures", "/api/v1/procedures")
    config.add_route(
        "api_procedure", "/api/v1/procedures/{code}", factory="congdichvu.catalog.resources.procedure_factory"
    )
    config.add_route("api_catalog", "/api/v1/catalog.json")
    config.add_route("api_statistics", "/api/v1/statistics")
    # the API's contract (congdichvu.api): its OpenAPI document, that document as a page, and the
    # catalogue exchange format's JSON Schema
    config.add_route("api_openapi", "/api/v1/openapi.json")
    config.add_route("api_docs", "/api/v1/docs")
    config.add_route("api_catalog_schema", "/api/v1/catalog.schema.json")
