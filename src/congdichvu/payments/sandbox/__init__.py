"""The local sandbox gateway (development and tests only): speaks the
VNPay protocol so the whole payment flow runs offline."""


def includeme(config):
    pass
