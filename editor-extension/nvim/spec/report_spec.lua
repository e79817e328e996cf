local t = require("harness")
local report = require("hexa.report")

---@param overrides table
---@return hexa.CellResult
local function cell(overrides)
  return vim.tbl_extend("force", {
    index = 1,
    name = "_",
    defLine = 8,
    status = "ok",
    stdout = "",
    stderr = "",
    error = vim.NIL,
    elapsedMs = 3,
  }, overrides)
end

t.describe("report.lines", function()
  t.it("prints each cell and a summary", function()
    local lines = report.lines({
      cell({ index = 0, name = "setup", stdout = "hello\n" }),
      cell({ status = "error", error = { ename = "E", evalue = "bad", traceback = "" } }),
      cell({ index = 2, status = "cancelled" }),
    })
    t.eq({
      "cell 0 (setup): ok, 3 ms, line 8",
      "    hello",
      "cell 1: error, 3 ms, line 8",
      "    E: bad",
      "cell 2: cancelled, 3 ms, line 8",
      "3 cells: 1 failed, 1 did not run",
    }, lines)
  end)

  t.it("indents every traceback line", function()
    local lines = report.lines({
      cell({ status = "error", error = { ename = "E", evalue = "x", traceback = "a\nb\n" } }),
    })
    t.eq({ "cell 1: error, 3 ms, line 8", "    a", "    b", "1 cells: 1 failed, 0 did not run" }, lines)
  end)

  t.it("shows stderr", function()
    t.eq("    stderr: warn", report.lines({ cell({ stderr = "warn" }) })[2])
  end)
end)

t.describe("setup", function()
  t.it("defines the user commands", function()
    require("hexa").setup({ path = "/nonexistent/hexa" })
    local commands = vim.api.nvim_get_commands({})
    t.eq(true, commands.HexaGenerate ~= nil)
    t.eq(true, commands.HexaRun ~= nil)
    t.eq(true, commands.HexaOpen ~= nil)
  end)
end)
