local t = require("harness")
local lsp = require("hexa.lsp")

local notebook = table.concat({
  "import marimo",
  "app = marimo.App()",
  "@app.cell",
  "def _(mo):",
  '    mo.mermaid("""flowchart TD',
  '    A --> B""")',
}, "\n")

t.describe("lsp.wants", function()
  local all = { "mermaid", "markdown", "python" }

  t.it("takes mermaid buffers", function()
    t.eq(true, lsp.wants("mermaid", "flowchart TD", all))
  end)

  t.it("takes markdown buffers", function()
    t.eq(true, lsp.wants("markdown", "# notes", all))
  end)

  t.it("takes hexa notebooks", function()
    t.eq(true, lsp.wants("python", notebook, all))
  end)

  t.it("skips plain python", function()
    t.eq(false, lsp.wants("python", "import os\nprint(os.getcwd())", all))
  end)

  t.it("skips marimo notebooks without a chart", function()
    t.eq(false, lsp.wants("python", "import marimo\napp = marimo.App()", all))
  end)

  t.it("skips filetypes left out of the config", function()
    t.eq(false, lsp.wants("markdown", "# notes", { "mermaid" }))
  end)

  t.it("skips other filetypes", function()
    t.eq(false, lsp.wants("rust", "fn main() {}", all))
  end)
end)

t.describe("lsp.execute", function()
  t.it("reports a missing client", function()
    local bufnr = vim.api.nvim_create_buf(false, true)
    local received
    lsp.execute(bufnr, lsp.commands.run, {}, function(err)
      received = err
    end)
    t.eq("hexa lsp is not attached to this buffer", received.message)
  end)
end)
