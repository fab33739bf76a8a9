import os

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
DATABASES = {"default": {"ENGINE": "django.db.backends.mysql", "PASSWORD": os.getenv("DB_PASSWORD")}}
CELERY_BROKER_URL = "amqp://worker:Vb7nQ2xLk9@rabbitmq:5672/vhost"
SQLALCHEMY_DATABASE_URI = "mysql+pymysql://shop:c7Vq2LmZp9@mysql:3306/shop"
AZURE_STORAGE = "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=/c6WOVeGbNvPZ0lKy9BRFGntVKTmMxmeX7bcOYc17vetyFpsM3ZP32oozOy4mN/U0bbvL7/CKxndyOntAjIteG==;EndpointSuffix=core.windows.net"
API_TOKEN = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzdmMtYmlsbGluZyIsImV4cCI6MjE0NzQ4MzY0N30.q8r2LmZp9Vb7nQ2xLk9Zx81kqPw2c7Vq2LmZp9rTq7Wz"
