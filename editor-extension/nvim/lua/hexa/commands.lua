---`:HexaGenerate`, `:HexaRun` and `:HexaOpen`.

local lsp = require("hexa.lsp")

local M = {}

---@param err lsp.ResponseError|nil
---@return boolean true when there was an error (and it was shown)
local function failed(err)
  if err then
    vim.notify("hexa: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
    return true
  end
  return false
end

---Writes a notebook (or with `target = "script"` a script) beside the buffer's chart.
---@param bufnr integer
---@param target "notebook"|"script"
function M.generate(bufnr, target)
  lsp.execute(bufnr, lsp.commands.generate, { target }, function(err, result)
    if failed(err) then
      return
    end
    vim.notify("hexa: wrote " .. result.path, vim.log.levels.INFO)
  end)
end

---Runs the buffer's notebook and shows each cell's result in a scratch buffer.
---@param bufnr integer
function M.run(bufnr)
  vim.notify("hexa: running the notebook", vim.log.levels.INFO)
  lsp.execute(bufnr, lsp.commands.run, {}, function(err, result)
    if failed(err) then
      return
    end
    local lines = require("hexa.report").lines(result.cells)
    vim.cmd("botright new")
    local scratch = vim.api.nvim_get_current_buf()
    vim.bo[scratch].buftype = "nofile"
    vim.bo[scratch].bufhidden = "wipe"
    vim.bo[scratch].swapfile = false
    vim.api.nvim_buf_set_name(scratch, ("hexa-run://%d/%d"):format(bufnr, scratch))
    vim.api.nvim_buf_set_lines(scratch, 0, -1, false, lines)
    vim.bo[scratch].modifiable = false
  end)
end

---Opens the buffer's notebook in marimo's editor; the server sends the URL with
---`window/showDocument`, which Neovim opens with `vim.ui.open`.
---@param bufnr integer
function M.open(bufnr)
  lsp.execute(bufnr, lsp.commands.open, {}, function(err, result)
    if failed(err) then
      return
    end
    local url = type(result) == "table" and result.url or result
    if type(url) == "string" then
      vim.notify("hexa: marimo at " .. url, vim.log.levels.INFO)
    end
  end)
end

---Defines the user commands.
function M.create()
  vim.api.nvim_create_user_command("HexaGenerate", function(opts)
    local target = opts.args == "script" and "script" or "notebook"
    M.generate(vim.api.nvim_get_current_buf(), target)
  end, {
    nargs = "?",
    complete = function()
      return { "notebook", "script" }
    end,
    desc = "Write a marimo notebook (or `script`) beside the flowchart",
  })
  vim.api.nvim_create_user_command("HexaRun", function()
    M.run(vim.api.nvim_get_current_buf())
  end, { desc = "Run the notebook through marimo; results in a scratch buffer" })
  vim.api.nvim_create_user_command("HexaOpen", function()
    M.open(vim.api.nvim_get_current_buf())
  end, { desc = "Open the notebook in marimo's editor" })
end

return M
