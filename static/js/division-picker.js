// The division picker (stations/widgets.py DivisionPicker): a <select data-division-picker>
// becomes a Tom Select search box over GET /api/v1/divisions/.
// - Typing searches names and codes inside the user's scope, at the levels the field accepts.
// - With nothing typed it steps down from the scope: choosing a division of a level the field
//   does not accept (a county when a township is wanted) opens its children; "下一级" opens the
//   children of one that is accepted too; "返回上一级" goes back. Keyboard: arrows and Enter.
"use strict";

(function () {
  const LEVELS = ["province", "city", "county", "township", "village"];

  function acceptedLevels(select) {
    const source = select.dataset.levelsFrom && document.getElementById(select.dataset.levelsFrom);
    // The levels the other select's value maps to; when it says nothing ("unchanged"), the
    // picker's own.
    const text =
      (source && JSON.parse(select.dataset.levelMap || "{}")[source.value]) ||
      select.dataset.levels ||
      "";
    return text.split(",").filter(Boolean);
  }

  function deepest(levels) {
    return Math.max(-1, ...levels.map((level) => LEVELS.indexOf(level)));
  }

  function init(select) {
    const root = select.dataset.root;
    const text = select.dataset;
    let parent = root; // the division whose children show when nothing is typed
    let step = []; // [code, name] of the divisions stepped through, for going back
    let here = ""; // the name of the division whose children show

    const picker = new TomSelect(select, {
      valueField: "value",
      labelField: "label",
      searchField: [],
      maxItems: 1,
      maxOptions: 500,
      hideSelected: true,
      preload: "focus",
      loadThrottle: 250,
      placeholder: text.placeholder,
      shouldLoad: () => true,
      // The server has filtered and ordered; keep its order.
      score: () => () => 1,
      sortField: [{ field: "order", direction: "asc" }],
      load(query, callback) {
        const levels = acceptedLevels(select);
        const params = new URLSearchParams({ retired: "false", page_size: "200" });
        query = query.trim();
        if (query) {
          params.set("q", query);
          params.set("within", root);
          if (levels.length) params.set("level", levels.join(","));
        } else {
          params.set("parent", parent);
        }
        this.clearOptions();
        fetch(`${text.url}?${params}`, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        })
          .then((response) => (response.ok ? response.json() : { results: [] }))
          .then((body) => callback(options(body.results || [], levels, query)))
          .catch(() => callback());
      },
      render: {
        option(data, escape) {
          const down = data.canDescend && !data.descendOnly
            ? `<button type="button" class="btn btn-sm btn-link py-0 ms-2" data-descend="${escape(data.code)}" data-name="${escape(data.name)}"
                 tabindex="-1">${escape(text.textDown)} ›</button>`
            : "";
          const context = data.parentName ? `<span class="text-muted small ms-1">${escape(data.parentName)}</span>` : "";
          if (data.up) {
            return `<div><span class="text-primary">‹ ${escape(text.textUp)}</span>
              <span class="text-muted small ms-2">${escape(data.here)}</span></div>`;
          }
          return `<div class="d-flex align-items-center"><span>${escape(data.name)}
            <span class="text-muted small">${escape(data.short_code)}</span>${context}</span>
            <span class="ms-auto">${data.descendOnly ? "›" : ""}</span>${down}</div>`;
        },
        item(data, escape) {
          return `<div>${escape(data.label)}</div>`;
        },
        no_results() {
          return `<div class="no-results">${text.textEmpty}</div>`;
        },
        loading() {
          return `<div class="no-results">${text.textLoading}</div>`;
        },
      },
      onItemAdd(value) {
        const option = this.options[value];
        if (!option || !(option.descendOnly || option.up)) return;
        this.clear(true);
        if (option.up) {
          [parent, here] = step.pop() || [root, ""];
        } else {
          step.push([parent, here]);
          [parent, here] = [option.code, option.name];
        }
        // After Tom Select has finished choosing (it closes the list when it has).
        window.setTimeout(reload, 0);
      },
    });

    function options(rows, levels, query) {
      const limit = deepest(levels);
      const list = [];
      if (!query && parent !== root) {
        list.push({ value: "__up__", label: text.textUp, here, up: true, order: -2 });
      }
      if (!query && parent === root && text.rootLevel && levels.includes(text.rootLevel)) {
        list.push({ value: root, label: text.rootLabel, name: text.rootLabel, short_code: "", order: -1 });
      }
      rows.forEach((row, index) => {
        const position = LEVELS.indexOf(row.level);
        const accepted = levels.length === 0 || levels.includes(row.level);
        const canDescend = row.level !== "village" && position < limit;
        if (!accepted && !canDescend) return;
        list.push({
          value: accepted ? row.short_code : `__down__${row.code}`,
          label: text.labelFormat
            .replace("%(name)s", `${row.parent_name && position > 2 ? row.parent_name + " · " : ""}${row.name}`)
            .replace("%(code)s", row.short_code),
          code: row.short_code,
          name: row.name,
          short_code: row.short_code,
          parentName: query ? row.parent_name : "",
          canDescend,
          descendOnly: !accepted,
          order: index,
        });
      });
      return list;
    }

    function reload() {
      picker.clearOptions();
      picker.setTextboxValue("");
      picker.load("");
      picker.open();
    }

    // "下一级" inside an option: step into it without choosing it.
    picker.dropdown.addEventListener(
      "mousedown",
      (event) => {
        const button = event.target.closest("[data-descend]");
        if (!button) return;
        event.preventDefault();
        event.stopPropagation();
        step.push([parent, here]);
        parent = button.dataset.descend;
        here = button.dataset.name;
        reload();
      },
      true,
    );
    // Another facility level accepts another division level: start again.
    const source = select.dataset.levelsFrom && document.getElementById(select.dataset.levelsFrom);
    if (source) {
      source.addEventListener("change", () => {
        picker.clear();
        step = [];
        parent = root;
        picker.clearOptions();
      });
    }
    return picker;
  }

  function start() {
    if (typeof TomSelect === "undefined") return;
    document.querySelectorAll("select[data-division-picker]").forEach(init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
