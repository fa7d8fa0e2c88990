import pghistory
from django.conf import settings
from django.core.management.base import BaseCommand

from stations.demo import DEMO_ACCOUNTS, demo_load


class Command(BaseCommand):
    help = "Load official divisions, the demo tenant 柳州市 (4502) and demo accounts, once."

    def handle(self, *args, **options):
        with pghistory.context(command="seed_demo"):
            done = demo_load()
        for line in done or ["演示数据已存在，未做改动。"]:
            self.stdout.write(line)
        self.stdout.write(f"演示账号（密码：{settings.DEMO_PASSWORD}，可用 DEMO_PASSWORD 修改）：")
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.username:<16} {account.role:<15} {account.description}")
