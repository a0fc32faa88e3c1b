from unionhome.disclosure.views import board, manage, questions, receipts

app_name = "disclosure"
urlpatterns = [
    *board.urlpatterns,
    *manage.urlpatterns,
    *receipts.urlpatterns,
    *questions.urlpatterns,
]
