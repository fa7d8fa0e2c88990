"""The caller's own API tokens: sign out (this token or all), list them, revoke one.

Tokens belong to a user, not to a tenant: these routes are the user's own,
like the password page, and touch only the caller's tokens (another user's
token key answers 404). A password change revokes every token of the user
(stations.signals).
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView


class TokenInfoSerializer(serializers.Serializer):
    token_key = serializers.CharField(help_text="the first 15 characters, to name the token")
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True, help_text="when it stops working")
    current = serializers.BooleanField(help_text="the token of this request")


class TokenLogoutApi(APIView):
    """POST: revoke the token this request was made with (204)."""

    authentication_classes = [TokenAuthentication]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        request._auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenLogoutAllApi(APIView):
    """POST: revoke every token of the caller (204)."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        AuthToken.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenListApi(APIView):
    """GET: the caller's tokens still valid, newest first (never the secrets)."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]

    @extend_schema(responses={200: TokenInfoSerializer(many=True)})
    def get(self, request):
        current = getattr(request.auth, "pk", None)
        tokens = AuthToken.objects.filter(user=request.user).order_by("-created")
        rows = [
            {
                "token_key": token.token_key,
                "created": token.created,
                "expiry": token.expiry,
                "current": token.pk == current,
            }
            for token in tokens
        ]
        return Response(TokenInfoSerializer(rows, many=True).data)


class TokenRevokeApi(APIView):
    """DELETE: revoke one of the caller's tokens by its key (204); another's is 404."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]

    @extend_schema(responses={204: None})
    def delete(self, request, token_key: str):
        deleted, _kinds = AuthToken.objects.filter(user=request.user, token_key=token_key).delete()
        if not deleted:
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)
