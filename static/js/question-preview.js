// The admin's question preview: the student page's rendering code with the inputs disabled.

import { readJson, translator } from "./dom.js";
import { answerForm, questionHeader } from "./question-view.js";

const t = translator();
const question = readJson("question-payload");
const form = answerForm(question, { t, preview: true });
document.getElementById("question-slot").replaceChildren(questionHeader(question, t, { level: 1 }), form.element);
