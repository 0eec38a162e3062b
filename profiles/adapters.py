"""django-allauth adapter: emails leave through the background task queue."""

from allauth.account.adapter import DefaultAccountAdapter

from hub.tasks import send_email


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        message = self.render_mail(template_prefix, email, context)
        html = ""
        for content, mimetype in getattr(message, "alternatives", []) or []:
            if mimetype == "text/html":
                html = content
        send_email.enqueue(
            subject=message.subject, body=message.body, to=list(message.to), from_email=message.from_email, html=html
        )
