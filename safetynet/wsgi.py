import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safetynet.settings")
application = get_wsgi_application()

# pypinyin's dictionaries are some 300 000 long-lived objects: loaded once here and moved out of
# the collector's sight, so full collections do not stall a request every few dozen (~150 ms each).
from pypinyin import lazy_pinyin  # noqa: E402

lazy_pinyin("预热")
gc.freeze()
