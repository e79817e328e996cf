---Starts `hexa lsp` for flowchart, Markdown and hexa notebook buffers, and sends it commands.

local config = require("hexa.config")

local M = {}

---The client name, also the `name` in `vim.lsp.get_clients()`.
M.name = "hexa"

---Commands the server registers for `workspace/executeCommand`.
M.commands = {
  generate = "hexa.generateNotebook",
  run = "hexa.runNotebook",
  open = "hexa.openInMarimo",
}

---True when Python `text` is a marimo notebook with a flowchart cell, as hexa writes them.
---@param text string
---@return boolean
function M.is_hexa_notebook(text)
  return text:find("marimo", 1, true) ~= nil and text:find("mo.mermaid(", 1, true) ~= nil
end

---Decides whether a buffer of `filetype` with `text` gets the server.
---@param filetype string
---@param text string
---@param filetypes string[]
---@return boolean
function M.wants(filetype, text, filetypes)
  if not vim.tbl_contains(filetypes, filetype) then
    return false
  end
  if filetype == "python" then
    return M.is_hexa_notebook(text)
  end
  return true
end

---@param bufnr integer
---@return string
local function buffer_text(bufnr)
  return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), "\n")
end

---Starts the server for `bufnr` (or attaches the running one) when the buffer wants it.
---@param bufnr integer
---@return integer|nil client_id
function M.attach(bufnr)
  local current = config.current
  local filetype = vim.bo[bufnr].filetype
  if vim.bo[bufnr].buftype ~= "" or not M.wants(filetype, buffer_text(bufnr), current.filetypes) then
    return nil
  end
  local file = vim.api.nvim_buf_get_name(bufnr)
  local root = vim.fs.root(bufnr, current.root_markers) or vim.fs.dirname(file)
  return vim.lsp.start({
    name = M.name,
    cmd = config.server_cmd(current),
    root_dir = root,
    init_options = current.settings,
  }, { bufnr = bufnr })
end

---The hexa client attached to `bufnr`, if any.
---@param bufnr integer
---@return vim.lsp.Client|nil
function M.client(bufnr)
  return vim.lsp.get_clients({ bufnr = bufnr, name = M.name })[1]
end

---Sends `workspace/executeCommand` for the file in `bufnr`.
---@param bufnr integer
---@param command string
---@param arguments any[] Arguments after the document URI.
---@param on_result fun(err: lsp.ResponseError|nil, result: any)
function M.execute(bufnr, command, arguments, on_result)
  local client = M.client(bufnr)
  if not client then
    on_result({ code = -32803, message = "hexa lsp is not attached to this buffer" }, nil)
    return
  end
  local params = {
    command = command,
    arguments = vim.list_extend({ vim.uri_from_bufnr(bufnr) }, arguments),
  }
  client:request("workspace/executeCommand", params, function(err, result)
    on_result(err, result)
  end, bufnr)
end

return M
