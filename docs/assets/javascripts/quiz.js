// "Check yourself" quizzes (markup: overrides/partials/quiz/). Without this script every
// question still works: the radio buttons can be chosen and each model answer is in a <details>.
// With it, a Check button tells the reader, through an aria-live status, whether the choice was
// right, and a running score sums up the page. No network, no dependencies.
(() => {
  const LETTERS = "ABCDEFGH";

  function setUp(quiz) {
    if (quiz.dataset.quizReady) return;
    quiz.dataset.quizReady = "1";
    const score = quiz.querySelector(".quiz__score");
    const results = new Map();

    const updateScore = () => {
      const right = [...results.values()].filter(Boolean).length;
      const total = quiz.querySelectorAll(".quiz__question[data-correct]").length;
      score.hidden = false;
      score.textContent = `Score: ${right} of ${total} multiple-choice questions right ` +
        `(${results.size} checked).`;
    };

    for (const question of quiz.querySelectorAll(".quiz__question[data-correct]")) {
      const correct = Number(question.dataset.correct);
      const button = question.querySelector(".quiz__check");
      const feedback = question.querySelector(".quiz__feedback");
      const inputs = [...question.querySelectorAll('input[type="radio"]')];
      button.hidden = false;

      const clearMarks = () => {
        for (const input of inputs) input.parentElement.classList.remove("quiz__option--right", "quiz__option--wrong");
      };
      for (const input of inputs) input.addEventListener("change", () => {
        clearMarks();
        feedback.textContent = "";
        feedback.className = "quiz__feedback";
      });

      button.addEventListener("click", () => {
        const chosen = inputs.find((input) => input.checked);
        clearMarks();
        if (!chosen) {
          feedback.className = "quiz__feedback";
          feedback.textContent = "Choose an answer first.";
          inputs[0].focus();
          return;
        }
        const index = Number(chosen.value);
        const right = index === correct;
        const rightLabel = inputs[correct].labels[0].textContent.trim();
        chosen.parentElement.classList.add(right ? "quiz__option--right" : "quiz__option--wrong");
        if (!right) inputs[correct].parentElement.classList.add("quiz__option--right");
        feedback.className = `quiz__feedback quiz__feedback--${right ? "right" : "wrong"}`;
        const why = chosen.dataset.why ? ` ${chosen.dataset.why}` : "";
        feedback.textContent = right
          ? `Correct: ${LETTERS[index]}. The model answer below says why.`
          : `Not quite.${why} The answer is ${rightLabel}.`;
        results.set(question.id, right);
        updateScore();
      });
    }
  }

  // A quiz is set up when it comes near the screen: un-hiding its buttons at load would make
  // the browser lay out the whole page again while it is still starting up.
  const init = () => {
    const quizzes = document.querySelectorAll(".quiz[data-quiz]");
    if (!("IntersectionObserver" in window)) return quizzes.forEach(setUp);
    const observer = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        observer.unobserve(entry.target);
        setUp(entry.target);
      }
    }, { rootMargin: "600px 0px" });
    quizzes.forEach((quiz) => observer.observe(quiz));
  };
  // Material's instant navigation swaps pages without a reload and announces each on document$.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
