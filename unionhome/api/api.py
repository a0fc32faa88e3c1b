from ninja import NinjaAPI

api = NinjaAPI(title="UnionHome API", version="1", urls_namespace="api")
