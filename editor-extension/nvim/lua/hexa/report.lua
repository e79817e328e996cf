---Formats a `hexa.runNotebook` result as lines for the `:HexaRun` scratch buffer.

local M = {}

---@class hexa.CellError
---@field ename string
---@field evalue string
---@field traceback string

---@class hexa.CellResult
---@field index integer 0-based position of the cell in the file.
---@field name string The cell's function name, `_` when anonymous.
---@field defLine integer 1-based line of the cell's `def` in the notebook.
---@field status "ok"|"error"|"cancelled"
---@field stdout string
---@field stderr string
---@field error hexa.CellError|vim.NIL|nil
---@field elapsedMs integer

---@param text string
---@param into string[]
local function add_indented(text, into)
  for _, line in ipairs(vim.split(text:gsub("\n$", ""), "\n", { plain = true })) do
    table.insert(into, "    " .. line)
  end
end

---Returns one header line per cell, its output indented below it, and a summary line.
---@param cells hexa.CellResult[]
---@return string[]
function M.lines(cells)
  local lines = {}
  local failed, cancelled = 0, 0
  for _, cell in ipairs(cells) do
    local name = cell.name == "_" and ("cell " .. cell.index)
      or ("cell %d (%s)"):format(cell.index, cell.name)
    table.insert(lines, ("%s: %s, %d ms, line %d"):format(name, cell.status, cell.elapsedMs, cell.defLine))
    if cell.stdout ~= "" then
      add_indented(cell.stdout, lines)
    end
    if cell.stderr ~= "" then
      add_indented("stderr: " .. cell.stderr, lines)
    end
    if type(cell.error) == "table" then
      local error = cell.error --[[@as hexa.CellError]]
      add_indented(error.traceback ~= "" and error.traceback or (error.ename .. ": " .. error.evalue), lines)
    end
    if cell.status == "error" then
      failed = failed + 1
    elseif cell.status == "cancelled" then
      cancelled = cancelled + 1
    end
  end
  table.insert(lines, ("%d cells: %d failed, %d did not run"):format(#cells, failed, cancelled))
  return lines
end

return M
