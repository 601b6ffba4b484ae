from django.apps import AppConfig


class ExampleConfig(AppConfig):
    name = "huigong.testing.example"
    label = "example"
    verbose_name = "示例模块"

    def ready(self) -> None:
        from huigong.kernel import registry

        from . import services

        registry.register_menu_item(
            registry.MenuItem("example", "待办", "example:list", permission="example.view_errand")
        )
        registry.register_tile(registry.Tile("example", "我的待办", "portal:errands"))
        registry.register_sweep(
            registry.Sweep("example.errands", services.mark_overdue_errands, "待办时限")
        )
        registry.grant(
            "township_cadre", ["example.view_errand", "example.change_errand"], app="example"
        )
