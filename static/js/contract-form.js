// The contract form's facility picker and funding total, without inline script:
// - only the facilities of the chosen purchaser's county are listed (all for a city purchaser),
//   and a search box narrows them by name; a hidden row stays unticked;
// - the funding sources are added up beside the contract amount as they are typed.
// The server checks everything again and lists every problem at once.
"use strict";

(() => {
  const form = document.querySelector("[data-testid=contract-form]");
  if (!form) return;
  const purchaser = form.querySelector("[name=purchaser]");
  const search = form.querySelector("[data-facility-filter]");
  const count = form.querySelector("[data-facility-count]");
  const rows = Array.from(form.querySelectorAll("[data-testid=facility-picker] tbody tr[data-county]"));

  function filterFacilities() {
    const code = (purchaser && purchaser.value) || "";
    const county = code.length >= 6 && !/^\d{4}(00)?0*$/.test(code) ? code.slice(0, 6) : "";
    const text = (search && search.value.trim()) || "";
    let shown = 0;
    let ticked = 0;
    for (const row of rows) {
      const inArea = !county || row.dataset.county === county;
      const box = row.querySelector("input[type=checkbox]");
      if (!inArea && box.checked) box.checked = false;
      const visible = inArea && (!text || row.dataset.name.includes(text) || box.checked);
      row.hidden = !visible;
      if (visible) shown += 1;
      if (box.checked) ticked += 1;
    }
    if (count) count.textContent = count.dataset.template
      ? count.dataset.template.replace("{shown}", shown).replace("{ticked}", ticked)
      : `${ticked} / ${shown}`;
  }

  const amount = form.querySelector("[name=amount]");
  const total = form.querySelector("[data-funding-total]");
  function addFunding() {
    let sum = 0;
    for (const input of form.querySelectorAll("[data-funding]")) sum += Number(input.value) || 0;
    const wanted = Number(amount && amount.value) || 0;
    if (!total) return;
    const template = total.dataset.template || "{sum} / {amount}";
    total.textContent = template.replace("{sum}", sum.toFixed(2)).replace("{amount}", wanted.toFixed(2));
    total.classList.toggle("text-danger", Math.abs(sum - wanted) >= 0.005);
    total.classList.toggle("text-success", Math.abs(sum - wanted) < 0.005 && wanted > 0);
  }

  form.addEventListener("input", (event) => {
    if (event.target === search) filterFacilities();
    if (event.target.matches("[data-funding], [name=amount]")) addFunding();
  });
  form.addEventListener("change", (event) => {
    if (event.target === purchaser || event.target.matches("[name=facility]")) filterFacilities();
  });
  filterFacilities();
  addFunding();
})();
