"""Quiz authoring in the admin.

A teacher sees and edits only their own quizzes, questions and choices, through every admin path: the changelists,
change URLs, autocomplete, lookup popups, actions and the quiz field of the question form. Every one of those paths
reads rows through `get_queryset` or a form field limited here. Superusers see everything.

A question is never saved invalid: its own fields are checked by `Question.clean` and its choices by the choice
formset, both with the rules in `quizzes.validation`; the admin saves nothing when either fails.
"""

from functools import partial

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count, Max
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from quizzes import admin_files
from quizzes.admin_editor import first_error
from quizzes.formats import EXPORT_FORMATS
from quizzes.models import Choice, Question, Quiz, Tag
from quizzes.preview import question_preview
from quizzes.services import quiz_duplicate
from quizzes.validation import choice_errors, question_image_clean


def owns_quiz(user, quiz: Quiz) -> bool:
    return user.is_superuser or quiz.owner_id == user.pk


def quizzes_owned_by(user):
    if user.is_superuser:
        return Quiz.objects.all()
    return Quiz.objects.filter(owner=user)


class ModelRulesOnHiddenFieldsMixin:
    """Report model rules that name a field this form does not show as form errors, instead of crashing.

    Django raises ValueError when `Model.clean` puts an error on a field that is not in the form; the question
    inline of a quiz shows only a few fields, while `Question.clean` checks others.
    """

    def add_error(self, field, error):
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            folded: dict[str, list] = {}
            for name, errors in error.error_dict.items():
                key = name if name in self.fields else NON_FIELD_ERRORS
                folded.setdefault(key, []).extend(errors)
            error = ValidationError(folded)
        super().add_error(field, error)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "quiz_count")
    search_fields = ("name",)
    ordering = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(quiz_count=Count("quizzes"))

    @admin.display(description=_("quizzes"), ordering="quiz_count")
    def quiz_count(self, tag: Tag) -> int:
        return tag.quiz_count


UNGRADED_POINTS_NOTE = _("Polls, word clouds and rating scales score no points: they are saved with 0.")


class QuestionInlineForm(ModelRulesOnHiddenFieldsMixin, forms.ModelForm):
    class Meta:
        model = Question
        fields = ("order", "prompt", "time_limit", "points")
        widgets = {"prompt": forms.Textarea(attrs={"rows": 2, "cols": 60})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.type in Question.UNGRADED_TYPES:  # the type cannot change on the quiz's page
            self.fields["points"].disabled = True
            self.fields["points"].help_text = UNGRADED_POINTS_NOTE


class QuestionInline(admin.TabularInline):
    """The quiz's questions in order, to read and reorder. Questions are added and retyped on their own page, where
    their choices are edited with them, so that no question is ever saved without valid choices."""

    model = Question
    form = QuestionInlineForm
    fields = ("order", "prompt", "type", "time_limit", "points")
    readonly_fields = ("type",)
    ordering = ("order", "id")
    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ("title", "question_count", "updated_at")
    list_filter = ("tags",)
    search_fields = ("title", "description")
    autocomplete_fields = ("tags",)
    ordering = ("-updated_at", "title")
    inlines = (QuestionInline,)
    actions = ("duplicate", "export_gift", "export_moodle_xml", "export_xlsx")

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(question_count=Count("questions"))
        if request.user.is_superuser:
            return queryset
        return queryset.filter(owner=request.user)

    def get_list_display(self, request):
        if request.user.is_superuser:
            return ("title", "owner", "question_count", "updated_at")
        return self.list_display

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return ("tags", "owner")
        return self.list_filter

    def get_fields(self, request, obj=None):
        fields = ["title", "description", "tags"]
        if request.user.is_superuser:
            fields.insert(1, "owner")
        return fields

    def get_changeform_initial_data(self, request):
        return {"owner": request.user.pk, **super().get_changeform_initial_data(request)}

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or owns_quiz(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or owns_quiz(request.user, obj))

    def save_model(self, request, obj, form, change):
        if not change and not request.user.is_superuser:
            obj.owner = request.user
        super().save_model(request, obj, form, change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if self.admin_site.get_model_admin(Question).has_add_permission(request):
            extra_context["question_add_url"] = (
                reverse("admin:quizzes_question_add") + "?" + urlencode({"quiz": object_id})
            )
        if str(object_id).isdigit():
            extra_context["import_url"] = reverse("admin:quizzes_quiz_import", args=[object_id])
            extra_context["export_links"] = [
                (export_format.label, reverse("admin:quizzes_quiz_export", args=[object_id, name]))
                for name, export_format in EXPORT_FORMATS.items()
            ]
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(partial(function, self))

        return [
            path(
                "import-template.xlsx",
                self.admin_site.admin_view(admin_files.template_view),
                name="quizzes_quiz_import_template",
            ),
            path("<path:object_id>/import/", view(admin_files.import_view), name="quizzes_quiz_import"),
            path(
                "<path:object_id>/export/<str:format_name>/", view(admin_files.export_view), name="quizzes_quiz_export"
            ),
            *super().get_urls(),
        ]

    @admin.action(description=_("Export selected quizzes as GIFT"))
    def export_gift(self, request, queryset):
        return admin_files.export_response(self, request, queryset, "gift")

    @admin.action(description=_("Export selected quizzes as Moodle XML"))
    def export_moodle_xml(self, request, queryset):
        return admin_files.export_response(self, request, queryset, "moodle_xml")

    @admin.action(description=_("Export selected quizzes as XLSX"))
    def export_xlsx(self, request, queryset):
        return admin_files.export_response(self, request, queryset, "xlsx")

    @admin.display(description=_("questions"), ordering="question_count")
    def question_count(self, quiz: Quiz) -> int:
        return quiz.question_count

    @admin.action(description=_("Duplicate selected quizzes"), permissions=["add"])
    def duplicate(self, request, queryset):
        # The queryset comes from get_queryset, so a teacher only ever copies their own quizzes.
        copies = [quiz_duplicate(quiz=quiz, owner=request.user) for quiz in queryset]
        self.message_user(
            request,
            ngettext(
                "Duplicated %(count)d quiz; the copy is yours.",
                "Duplicated %(count)d quizzes; the copies are yours.",
                len(copies),
            )
            % {"count": len(copies)},
            messages.SUCCESS,
        )


class ImageSizeMixin:
    """Clean an uploaded `image` (quizzes.validation.question_image_clean), for questions and choices alike."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["image"].help_text = _(
            "PNG, JPEG, WebP or GIF of at most %(megapixels)s megapixels; stored at most %(side)s pixels wide or high."
        ) % {
            "megapixels": f"{settings.QUESTION_IMAGE_MAX_PIXELS / 1_000_000:g}",
            "side": settings.QUESTION_IMAGE_MAX_SIDE,
        }

    def clean_image(self):
        image = self.cleaned_data.get("image")
        # A new upload is decoded and stored as new pixels; an image already stored went through this before.
        if isinstance(image, UploadedFile):
            return question_image_clean(image=image)
        return image


class ChoiceInlineForm(ImageSizeMixin, forms.ModelForm):
    class Meta:
        model = Choice
        fields = ("text", "is_correct", "order", "image", "image_alt")


class ChoiceInlineFormSet(forms.BaseInlineFormSet):
    """Checks the choices as a whole against the question's type, so the admin saves nothing when they break it.

    A true/false question saved without choices gets its two, True and False; a new choice whose order was left
    alone goes after the others."""

    adds_true_false = False

    def clean(self):
        super().clean()
        if any(self.errors):
            return  # each broken row already says what is wrong
        kept = [
            form
            for form in self.forms
            if form.cleaned_data and not (self.can_delete and form.cleaned_data.get("DELETE"))
        ]
        choices = [(form.cleaned_data.get("text", ""), bool(form.cleaned_data.get("is_correct"))) for form in kept]
        images = [(bool(form.cleaned_data.get("image")), form.cleaned_data.get("image_alt", "")) for form in kept]
        # The question form has already put the submitted type on the shared instance.
        self.adds_true_false = self.instance.type == Question.Type.TRUE_FALSE and not choices
        if self.adds_true_false:
            return
        errors = choice_errors(question_type=self.instance.type, choices=choices, images=images)
        if errors:
            raise ValidationError(errors)
        next_order = max((form.instance.order for form in kept if form.instance.pk), default=-1) + 1
        for form in kept:
            if form.instance.pk is None and "order" not in form.changed_data:
                form.instance.order = next_order
                next_order += 1

    def save(self, commit=True):
        saved = super().save(commit)
        if commit and self.adds_true_false:
            self.instance.choices.all().delete()
            Choice.objects.bulk_create(
                [
                    Choice(question=self.instance, text=gettext("True"), is_correct=True, order=0),
                    Choice(question=self.instance, text=gettext("False"), is_correct=False, order=1),
                ]
            )
        return saved


class ChoiceInline(admin.TabularInline):
    model = Choice
    form = ChoiceInlineForm
    formset = ChoiceInlineFormSet
    fields = ("text", "is_correct", "order", "image", "image_alt")
    verbose_name_plural = _(
        "choices (single choice, multiple select, true/false and poll questions; an image needs its description) "
        "or items (ordering questions: in the correct order, none ticked)"
    )
    ordering = ("order", "id")

    def get_extra(self, request, obj=None, **kwargs):
        if obj is not None and obj.choices.exists():
            return 1
        return 4


class QuestionAdminForm(ImageSizeMixin, forms.ModelForm):
    class Meta:
        model = Question
        fields = (
            "quiz",
            "order",
            "type",
            "prompt",
            "points",
            "time_limit",
            "numeric_target",
            "numeric_tolerance",
            "accepted_answers",
            "partial_credit",
            "max_words",
            "scale_min",
            "scale_max",
            "scale_min_label",
            "scale_max_label",
            "image",
            "image_alt",
            "explanation",
        )
        widgets = {
            # A question's place in its quiz is set on the quiz's page, by dragging; a new one goes last.
            "order": forms.HiddenInput(),
            "prompt": forms.Textarea(attrs={"rows": 3}),
            "explanation": forms.Textarea(attrs={"rows": 3}),
        }

    # Settings of one type only: a form that leaves them out (another type's) keeps their defaults.
    TYPE_SETTINGS = ("max_words", "scale_min", "scale_max")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.TYPE_SETTINGS:
            self.fields[name].required = False
        if "points" in self.fields:
            self.fields["points"].help_text = UNGRADED_POINTS_NOTE

    def clean(self):
        cleaned = super().clean()
        for name in self.TYPE_SETTINGS:
            if name in cleaned and cleaned[name] is None:
                cleaned[name] = Question._meta.get_field(name).default
        if cleaned.get("type") in Question.UNGRADED_TYPES:
            cleaned["points"] = 0  # nothing to score; a points error of another type's value does not apply
            self.errors.pop("points", None)
        return cleaned


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionAdminForm
    inlines = (ChoiceInline,)
    list_display = ("short_prompt", "quiz", "order", "type", "points", "time_limit")
    list_display_links = ("short_prompt",)
    list_filter = ("type", "quiz__tags", ("quiz", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("quiz",)
    search_fields = ("prompt", "quiz__title")
    autocomplete_fields = ("quiz",)
    ordering = ("quiz", "order", "id")
    fieldsets = (
        (None, {"fields": ("quiz", "order", "type", "prompt", "points", "time_limit")}),
        (
            _("Answer"),
            {
                "fields": ("numeric_target", "numeric_tolerance", "accepted_answers"),
                "description": _(
                    "Numeric questions need the numeric answer; short-text questions need accepted answers. "
                    "Choice questions use the choices below instead."
                ),
            },
        ),
        (
            _("Word cloud, ordering and rating scale"),
            {
                "fields": (
                    "max_words",
                    "partial_credit",
                    ("scale_min", "scale_max"),
                    ("scale_min_label", "scale_max_label"),
                ),
                "description": _(
                    "Word clouds: how many words each student sends. Ordering: the items are the rows below, in "
                    "the correct order. Rating scales: the lowest and highest ratings and their labels."
                ),
            },
        ),
        (_("Image"), {"fields": ("image", "image_alt")}),
        (_("Reveal"), {"fields": ("explanation",)}),
    )

    def get_urls(self):
        preview = path(
            "<int:question_id>/preview/",
            self.admin_site.admin_view(question_preview),
            name="quizzes_question_preview",
        )
        return [preview, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if object_id and str(object_id).isdigit():
            extra_context["preview_url"] = reverse("admin:quizzes_question_preview", args=[int(object_id)])
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["first_error"] = first_error(
            form=context["adminform"].form, inline_formsets=context.get("inline_admin_formsets", [])
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(quiz__owner=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "quiz":
            kwargs["queryset"] = quizzes_owned_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        quiz_id = str(initial.get("quiz", ""))
        quiz = quizzes_owned_by(request.user).filter(pk=quiz_id).first() if quiz_id.isdigit() else None
        if quiz is not None and "order" not in initial:
            last = quiz.questions.aggregate(last=Max("order"))["last"]
            initial["order"] = 0 if last is None else last + 1
        return initial

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or owns_quiz(request.user, obj.quiz))

    def response_add(self, request, obj, post_url_continue=None):
        # A question added from its quiz's page ("Add question", which passes ?quiz=) returns there on "Save".
        staying = {"_continue", "_addanother", "_saveasnew", IS_POPUP_VAR} & set(request.POST)
        if "quiz" in request.GET and not staying:
            return HttpResponseRedirect(reverse("admin:quizzes_quiz_change", args=[obj.quiz_id]))
        return super().response_add(request, obj, post_url_continue)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or owns_quiz(request.user, obj.quiz))

    @admin.display(description=_("prompt"), ordering="prompt")
    def short_prompt(self, question: Question) -> str:
        return question.prompt if len(question.prompt) <= 80 else question.prompt[:77] + "..."
